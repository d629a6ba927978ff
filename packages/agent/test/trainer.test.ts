import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@vinegym/rng';
import { ObservationNormalizer } from '../src/math/normalizer.js';
import { RunDirectory } from '../src/run/run-directory.js';
import { readTensorBoardEvents } from '../src/run/tensorboard.js';
import { loadValueFunction, saveValueFunction } from '../src/estimation/value-function-state.js';
import type { CheckpointValue } from '../src/run/checkpoint.js';
import { checkpointState, restoreCheckpointState } from '../src/train/checkpoint-state.js';
import { trainConfig } from '../src/config/train-config.js';
import { train } from '../src/train/trainer.js';
import { CategoricalMlpPolicy } from '../src/policies/mlp-policies.js';
import { ValueFunction } from '../src/policies/value-function.js';
import { tf } from './tf-setup.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vinegym-train-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const small = (overrides = {}) =>
  trainConfig({
    totalSteps: null,
    iterations: 3,
    numEnvs: 4,
    stepsPerIteration: 400,
    policy: { hiddenSizes: [16] },
    ...overrides,
  });
const withoutTimes = (rows: Record<string, number>[]) =>
  rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith('time/'))));

describe('train', () => {
  it('is reproducible: the same seed gives the same run', async () => {
    const a = await train({ config: small({ seed: 4 }), runDir: null, progress: false });
    const b = await train({ config: small({ seed: 4 }), runDir: null, progress: false });
    const c = await train({ config: small({ seed: 5 }), runDir: null, progress: false });
    expect(withoutTimes(a.rows)).toEqual(withoutTimes(b.rows));
    expect(withoutTimes(c.rows)).not.toEqual(withoutTimes(a.rows));
  });

  it('writes metrics, TensorBoard events and checkpoints, and resumes where it stopped', async () => {
    const dir = join(await tempDir(), 'run');
    await train({ config: small({ iterations: 2, checkpointEvery: 1 }), runDir: dir, progress: false });
    const resumed = await train({
      config: small(),
      runDir: dir,
      resume: true,
      budget: { iterations: 4, totalSteps: null },
      progress: false,
    });
    expect(resumed.iterations).toBe(4);
    const lines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.iteration)).toEqual([1, 2, 3, 4]);
    expect(lines[3].env_steps).toBe(4 * 400);
    for (const key of ['rollout/ep_return_mean', 'train/kl', 'train/entropy', 'time/wall_s', 'env_steps'])
      expect(lines[0]).toHaveProperty([key]);
    const csv = (await readFile(join(dir, 'metrics.csv'), 'utf8')).trim().split('\n');
    expect(csv.length).toBe(5);
    const checkpoint = await (await RunDirectory.open(dir)).loadLatestCheckpoint();
    expect(checkpoint?.iteration).toBe(4);
    // TensorBoard: x axis in env steps (the resumed file restarts at the checkpoint's), namespaced tags.
    const files = (await readdir(dir)).filter((f) => f.startsWith('events.out.tfevents.')).sort();
    const events = (await Promise.all(files.map((f) => readTensorBoardEvents(join(dir, f))))).flat();
    const scalarSteps = events.filter((e) => e.scalars.length > 0).map((e) => e.step);
    expect(scalarSteps).toEqual([400, 800, 1200, 1600]);
    expect(events.some((e) => e.sessionStart && e.step === 800)).toBe(true);
    const tags = events.find((e) => e.step === 1600)!.scalars.map((s) => s.tag);
    expect(tags).toEqual(
      expect.arrayContaining(['time/iteration', 'rollout/ep_return_mean', 'train/kl', 'time/cg_ms']),
    );
    expect(tags.every((tag) => tag.includes('/'))).toBe(true);
  });

  it('round-trips the whole training state through a checkpoint bit for bit', async () => {
    const build = (seed: number) => {
      const valueFunction = new ValueFunction(tf, { obsSize: 4, seed });
      return {
        policy: new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed }),
        valueFunction,
        normalizer: new ObservationNormalizer(4),
        rng: new Rng(seed),
        // What TRPO's algorithm state is: its value function and the value function's training state.
        algorithm: {
          save: () => saveValueFunction(valueFunction),
          restore: (state: Record<string, CheckpointValue>) => loadValueFunction(valueFunction, state),
        },
      };
    };
    const a = build(1);
    a.normalizer.update(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)));
    a.valueFunction.fit(
      Float32Array.from({ length: 40 }, (_, i) => Math.cos(i)),
      Float32Array.from({ length: 10 }, (_, i) => i),
    );
    a.rng.uniform();
    const counters = {
      iteration: 3,
      envSteps: 1200,
      wallSeconds: 2.5,
      recentReturns: [10, 20],
      recentLengths: [10, 20],
    };
    const dir = await tempDir();
    const run = await RunDirectory.create(join(dir, 'ckpt'), {});
    await run.saveCheckpoint(3, checkpointState(a, counters));
    const b = build(2);
    const restored = restoreCheckpointState(b, (await run.loadLatestCheckpoint())!.state);
    expect(restored).toEqual(counters);
    expect(b.policy.serialize()).toEqual(a.policy.serialize());
    expect(b.valueFunction.serialize()).toEqual(a.valueFunction.serialize());
    expect(b.valueFunction.trainingState()).toEqual(a.valueFunction.trainingState());
    expect(b.normalizer.serialize()).toEqual(a.normalizer.serialize());
    expect(b.rng.state()).toEqual(a.rng.state());
    for (const parts of [a, b]) {
      parts.policy.dispose();
      parts.valueFunction.dispose();
    }
  });

  it('keeps the number of live tensors flat over iterations', async () => {
    const counts: number[] = [];
    await train({
      config: small({ iterations: 6 }),
      runDir: null,
      progress: false,
      onIteration: () => void counts.push(tf.memory().numTensors),
    });
    expect(counts[5]).toBe(counts[1]);
  });

  it('trains with the vine sampler and with NPG', async () => {
    const vine = await train({
      config: small({
        sampler: 'vine',
        vine: { rolloutSetSize: 8, rolloutLength: 10, trunkSteps: 40, actionsPerState: 'all' },
      }),
      runDir: null,
      progress: false,
    });
    expect(vine.iterations).toBe(3);
    const selfNormalized = await train({
      config: small({
        sampler: 'vine',
        vine: {
          rolloutSetSize: 16,
          rolloutLength: 40,
          trunkSteps: 64,
          actionsPerState: 'all',
          estimator: 'self-normalized',
        },
      }),
      runDir: null,
      progress: false,
    });
    expect(selfNormalized.rows.some((r) => r['train/accepted'] === 1)).toBe(true);
    const bootstrapped = await train({
      config: small({
        sampler: 'vine',
        vine: {
          rolloutSetSize: 16,
          rolloutLength: 8,
          trunkSteps: 128,
          actionsPerState: 'all',
          rolloutBootstrap: 'value-function',
        },
      }),
      runDir: null,
      progress: false,
    });
    // The value function is fitted on the trunk: its explained variance is reported, unlike the plain vine's.
    expect(bootstrapped.rows.every((r) => Number.isFinite(r['train/explained_variance']))).toBe(true);
    expect(vine.rows.every((r) => !('train/explained_variance' in r))).toBe(true);
    const npg = await train({ config: small({ algo: 'npg' }), runDir: null, progress: false });
    expect(npg.rows.every((r) => r['train/line_search_steps'] === 0)).toBe(true);
  });
});
