import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunDirectory, readMetricsJsonl, type IterationMetrics } from '../src/run/index.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'vinegym-run-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Synthetic metrics row for tests. */
function row(iteration: number, extra: Record<string, number> = {}): IterationMetrics {
  return {
    'train/entropy': 1 - iteration / 100,
    iteration,
    'rollout/ep_return_mean': iteration * 10,
    env_steps: iteration * 1000,
    'train/kl': 0.01,
    'time/wall_s': iteration * 0.5,
    ...extra,
  };
}

describe('RunDirectory', () => {
  it('writes config.json and refuses to create over an existing run', async () => {
    const config = { algo: 'trpo', sampler: 'vine', seed: 3, nested: { lr: 0.1 } };
    const run = await RunDirectory.create(join(root, 'a'), config);
    expect(JSON.parse(await readFile(join(run.path, 'config.json'), 'utf8'))).toEqual(config);
    await expect(RunDirectory.create(join(root, 'a'), config)).rejects.toThrow(/already holds a run/);
    const reopened = await RunDirectory.open<typeof config>(join(root, 'a'));
    expect(reopened.config).toEqual(config);
  });

  it('writes CSV with required columns first, then the first row’s extras sorted', async () => {
    const run = await RunDirectory.create(join(root, 'b'), {});
    await run.appendMetrics(row(1, { zeta: 2, alpha: 1 }));
    await run.appendMetrics(row(2, { alpha: NaN, brand_new: 5 }));
    const csv = await readFile(run.metricsCsvPath, 'utf8');
    expect(csv).toBe(
      'iteration,env_steps,time/wall_s,rollout/ep_return_mean,alpha,train/entropy,train/kl,zeta\n' +
        '1,1000,0.5,10,1,0.99,0.01,2\n' +
        '2,2000,1,20,NaN,0.98,0.01,\n',
    );
    const rows = await readMetricsJsonl(run.metricsJsonlPath);
    expect(rows).toHaveLength(2);
    expect(rows[1].alpha).toBeNaN();
    expect(rows[1].brand_new).toBe(5);
    expect(Object.keys(rows[0]).slice(0, 5)).toEqual([
      'iteration',
      'env_steps',
      'time/wall_s',
      'rollout/ep_return_mean',
      'alpha',
    ]);
  });

  it('on resume, truncates rows past the checkpoint and appends without a second header', async () => {
    const first = await RunDirectory.create(join(root, 'c'), { seed: 1 });
    for (let i = 1; i <= 5; i++) await first.appendMetrics(row(i));
    await first.saveCheckpoint(3, { theta: new Float32Array([1, 2, 3]) });

    const resumed = await RunDirectory.open(join(root, 'c'));
    const checkpoint = await resumed.loadLatestCheckpoint();
    expect(checkpoint?.iteration).toBe(3);
    await resumed.resumeFrom(checkpoint!.iteration);
    await resumed.appendMetrics(row(4, { extra: 1 }));

    const csvLines = (await readFile(resumed.metricsCsvPath, 'utf8')).trimEnd().split('\n');
    expect(csvLines).toHaveLength(5);
    expect(csvLines.filter((line) => line.startsWith('iteration'))).toHaveLength(1);
    expect(csvLines.map((line) => line.split(',')[0])).toEqual(['iteration', '1', '2', '3', '4']);
    const rows = await readMetricsJsonl(resumed.metricsJsonlPath);
    expect(rows.map((r) => r.iteration)).toEqual([1, 2, 3, 4]);
  });

  it('drops a partial last line left by a crash when truncating', async () => {
    const run = await RunDirectory.create(join(root, 'd'), {});
    await run.appendMetrics(row(1));
    const { appendFile } = await import('node:fs/promises');
    await appendFile(run.metricsJsonlPath, '{"iteration":2,"env_st');
    await appendFile(run.metricsCsvPath, '2,20');
    await run.resumeFrom(1);
    expect(await readFile(run.metricsJsonlPath, 'utf8')).not.toContain('env_st"');
    expect((await readFile(run.metricsCsvPath, 'utf8')).trimEnd().split('\n')).toHaveLength(2);
  });

  it('rejects rows without the required numeric fields', async () => {
    const run = await RunDirectory.create(join(root, 'e'), {});
    await expect(run.appendMetrics({ iteration: 1 } as IterationMetrics)).rejects.toThrow(/env_steps/);
  });
});
