/**
 * Run directories written before the redesign (fixtures/before-redesign: old config keys, old metric names, the
 * value function at the top level of checkpoints) still evaluate, plot and resume.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@vinegym/rng';
import { trainConfig } from '../src/config/train-config.js';
import { evaluate } from '../src/eval/evaluate.js';
import { ObservationNormalizer } from '../src/math/normalizer.js';
import { loadRun } from '../src/plot/load-runs.js';
import { CategoricalMlpPolicy } from '../src/policies/mlp-policies.js';
import type { CheckpointValue } from '../src/run/checkpoint.js';
import { RunDirectory } from '../src/run/run-directory.js';
import { restoreCheckpointState } from '../src/train/checkpoint-state.js';
import { train } from '../src/train/trainer.js';
import { tf } from './tf-setup.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/before-redesign/', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function copyOf(name: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vinegym-legacy-'));
  dirs.push(root);
  await cp(join(FIXTURES, name), join(root, name), { recursive: true });
  return join(root, name);
}

describe('run directories from before the redesign', () => {
  it('evaluate, and plot under the current metric names', async () => {
    const dir = await copyOf('run-trpo');
    const { iteration, results } = await evaluate({ runDir: dir, episodes: 2 });
    expect(iteration).toBe(2);
    expect(results.map((r) => r.returns.length)).toEqual([2, 2]);
    const run = await loadRun(dir);
    expect(run.label).toBe('trpo single-path');
    expect(run.rows.map((row) => Number.isFinite(row['rollout/ep_return_mean']))).toEqual([true, true]);
    expect(run.rows[0]).not.toHaveProperty('episode_return_mean');
  });

  it('hand the value function of an old checkpoint to the algorithm', async () => {
    const dir = await copyOf('run-trpo');
    const checkpoint = (await (await RunDirectory.open(dir)).loadLatestCheckpoint())!;
    let algorithmState: Record<string, CheckpointValue> = {};
    const policy = new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, hiddenSizes: [8], seed: 0 });
    restoreCheckpointState(
      {
        policy,
        normalizer: new ObservationNormalizer(4),
        rng: new Rng(0),
        algorithm: { save: () => ({}), restore: (state) => (algorithmState = state) },
      },
      checkpoint.state,
    );
    policy.dispose();
    expect(Object.keys(algorithmState).sort()).toEqual(
      Object.keys(checkpoint.state)
        .filter((k) => k.startsWith('value'))
        .sort(),
    );
    expect(algorithmState['value.0']).toEqual(checkpoint.state['value.0']);
  });

  for (const name of ['run-trpo', 'run-cem', 'run-vine']) {
    it(`${name}: resumes with its stored settings, and continues the metrics under the current names`, async () => {
      const dir = await copyOf(name);
      const stored = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      const result = await train({
        config: trainConfig(),
        runDir: dir,
        resume: true,
        budget: { iterations: 3, totalSteps: null },
        progress: false,
      });
      expect(result.iterations).toBe(3);
      const lines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, number>);
      expect(lines.map((l) => l.iteration)).toEqual([1, 2, 3]);
      for (const line of lines)
        expect(
          Object.keys(line).filter((key) => !key.includes('/') && key !== 'iteration' && key !== 'env_steps'),
        ).toEqual([]);
      const header = (await readFile(join(dir, 'metrics.csv'), 'utf8')).split('\n')[0].split(',');
      expect(header.slice(0, 4)).toEqual(['iteration', 'env_steps', 'time/wall_s', 'rollout/ep_return_mean']);
      const checkpoint = (await (await RunDirectory.open(dir)).loadLatestCheckpoint())!;
      expect(checkpoint.iteration).toBe(3);
      // The settings that ran are the stored ones: e.g. the policy's hidden layer.
      expect((checkpoint.state['policy.0'] as Float32Array).length).toBe(
        4 * (stored.policy as { hiddenSizes: number[] }).hiddenSizes[0],
      );
      if (name === 'run-trpo') expect(checkpoint.state).toHaveProperty(['algorithm.value.0']);
      if (name === 'run-cem') expect(checkpoint.state['algorithm.generation']).toBe(3);
    });
  }
});
