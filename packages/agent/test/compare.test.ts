import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plannedRuns } from '../src/compare/plan.js';
import { markdownTable, summarizeRun } from '../src/compare/report.js';
import { DONE_FILE, runState, runsWithOtherSettings } from '../src/compare/run-pool.js';
import { trainConfig } from '../src/config/train-config.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const plan = {
  envId: 'CartPole-v1',
  variants: ['trpo-vine', 'cem'],
  seeds: 2,
  budget: 1000,
  servers: [],
  out: '/tmp/x',
  base: { numEnvs: 8 },
};

describe('compare', () => {
  it('plans every algorithm × seed with valid configs', () => {
    const runs = plannedRuns(plan);
    expect(runs.map((r) => `${r.variant}/${r.seed}`)).toEqual(['trpo-vine/0', 'cem/0', 'trpo-vine/1', 'cem/1']);
    expect(runs[3].dir).toBe('/tmp/x/runs/cem/seed1');
    const cem = trainConfig(runs[3].overrides);
    expect(cem).toMatchObject({
      algo: 'cem',
      seed: 1,
      totalSteps: 1000,
      numEnvs: 8,
      label: 'cem',
      policy: { hiddenSizes: [16] },
    });
    expect(trainConfig(runs[0].overrides)).toMatchObject({
      algo: 'trpo',
      sampler: 'vine',
      policy: { hiddenSizes: [64, 64] },
    });
    expect(() => plannedRuns({ ...plan, variants: ['sarsa'] })).toThrow(/unknown algorithm/);
  });

  it('tells finished, unfinished and new runs apart', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vinegym-compare-'));
    dirs.push(root);
    expect(await runState(join(root, 'a'), 1000)).toBe('new');
    await mkdir(join(root, 'a'));
    await writeFile(join(root, 'a', 'config.json'), '{}');
    expect(await runState(join(root, 'a'), 1000)).toBe('resume');
    await writeFile(join(root, 'a', DONE_FILE), JSON.stringify({ budget: 1000 }));
    expect(await runState(join(root, 'a'), 1000)).toBe('done');
    expect(await runState(join(root, 'a'), 2000)).toBe('resume');
  });

  it('finds runs that were started with other settings, whatever the budget', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vinegym-compare-'));
    dirs.push(root);
    const runs = plannedRuns({ ...plan, out: root });
    expect(await runsWithOtherSettings(runs)).toEqual([]); // nothing started yet
    await mkdir(join(root, 'runs', 'trpo-vine'), { recursive: true });
    await mkdir(join(root, 'runs', 'cem'), { recursive: true });
    // Same settings, keys in another order and a smaller budget: a run to continue, not a conflict.
    const reordered = Object.fromEntries(Object.entries({ ...runs[0].overrides, totalSteps: 500 }).reverse());
    await writeFile(join(root, 'runs', 'trpo-vine', 'seed0.config.json'), JSON.stringify(reordered));
    await writeFile(
      join(root, 'runs', 'cem', 'seed0.config.json'),
      JSON.stringify({ ...runs[1].overrides, numEnvs: 4 }),
    );
    expect((await runsWithOtherSettings(runs)).map((r) => `${r.variant}/${r.seed}`)).toEqual(['cem/0']);
  });

  it('summarizes final, best, steps to threshold and wall time', () => {
    const row = (env_steps: number, returnMean: number, wallSeconds: number) => ({
      iteration: 0,
      env_steps,
      'rollout/ep_return_mean': returnMean,
      'time/wall_s': wallSeconds,
    });
    const run = {
      dir: '/r',
      label: 'x',
      rows: [row(100, NaN, 1), row(200, 300, 2), row(300, 480, 3), row(400, 450, 4)],
    };
    expect(summarizeRun(0, run, 475)).toEqual({
      seed: 0,
      envSteps: 400,
      finalReturn: 450,
      bestReturn: 480,
      stepsToThreshold: 300,
      wallSeconds: 4,
    });
    expect(summarizeRun(0, run, 500).stepsToThreshold).toBeNull();
    const table = markdownTable(
      [{ variant: 'x', runs: [summarizeRun(0, run, 475), summarizeRun(1, run, 500)] }],
      475,
      2,
    );
    expect(table).toContain('| x | 2/2 | 400 | 450.0 ± 0.0 | 480.0 ± 0.0 | 300 (1/2) | 4 ± 0 |');
  });
});
