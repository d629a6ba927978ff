/**
 * Adding an algorithm is one folder and one line: the toy algorithm of toy-algorithm/ is registered below and
 * trains through the same trainer, config schema, flags, metrics and checkpoints as the built-in ones.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerAlgorithm } from '../src/algos/registry.js';
import { configFlags } from '../src/config/flags.js';
import { trainConfig, trainConfigSchema } from '../src/config/train-config.js';
import { formatIterationLine } from '../src/run/progress.js';
import { RunDirectory } from '../src/run/run-directory.js';
import { train } from '../src/train/trainer.js';
import { HILL_CLIMB } from './toy-algorithm/index.js';

registerAlgorithm(HILL_CLIMB);

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('a new algorithm: one folder plus one registry line', () => {
  it('gets its config section, with defaults, validation and flags', () => {
    expect(trainConfig({ algo: 'hill-climb' })).toMatchObject({
      algo: 'hill-climb',
      hillClimb: { noiseStd: 0.05, episodes: 4 },
    });
    expect(() => trainConfig({ algo: 'hill-climb', hillClimb: { noiseStd: -1 } } as never)).toThrow(
      /hillClimb.noiseStd/,
    );
    expect(configFlags(trainConfigSchema()).map((f) => f.flag)).toContain('hill-climb.noise-std');
  });

  it('trains, writes its own metrics and checkpoints, and resumes', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'vinegym-toy-')), 'run');
    dirs.push(dir);
    const config = trainConfig({
      algo: 'hill-climb',
      hillClimb: { episodes: 3 },
      numEnvs: 2,
      iterations: 3,
      totalSteps: null,
      policy: { hiddenSizes: [8] },
      checkpointEvery: 1,
    });
    const result = await train({ config, runDir: dir, progress: false });
    expect(result.iterations).toBe(3);
    expect(result.rows.every((row) => row['hill/best_score'] >= row['hill/score'] || row['hill/accepted'] === 0)).toBe(
      true,
    );
    expect(Object.keys(result.rows[0]).filter((key) => key.startsWith('train/'))).toEqual([]);
    expect(formatIterationLine(result.rows[0])).toContain('best_score');
    const checkpoint = (await (await RunDirectory.open(dir)).loadLatestCheckpoint())!;
    expect(checkpoint.state['algorithm.best']).toBe(result.rows[2]['hill/best_score']);
    const resumed = await train({
      config,
      runDir: dir,
      resume: true,
      budget: { iterations: 4, totalSteps: null },
      progress: false,
    });
    expect(resumed.rows[0]['hill/best_score']).toBeGreaterThanOrEqual(result.rows[2]['hill/best_score']);
    expect((await readFile(join(dir, 'metrics.csv'), 'utf8')).split('\n')[0]).toContain('hill/best_score');
  });
});
