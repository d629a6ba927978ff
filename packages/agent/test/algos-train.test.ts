import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedVectorEnv } from '../src/client/embedded-vector-env.js';
import { Rng } from '@vinegym/rng';
import { CategoricalMlpPolicy } from '../src/policies/mlp-policies.js';
import { EpisodeSampler } from '../src/sampling/episodes.js';
import { trainConfig, type TrainConfigOverrides } from '../src/config/train-config.js';
import { adapterFor } from '../src/train/setup.js';
import { train } from '../src/train/trainer.js';
import { tf } from './tf-setup.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const small = (overrides: TrainConfigOverrides) =>
  trainConfig({
    totalSteps: null,
    iterations: 3,
    numEnvs: 4,
    stepsPerIteration: 400,
    policy: { hiddenSizes: [8] },
    cem: { populationSize: 6, episodesPerCandidate: 2 },
    rwr: { episodesPerIteration: 10 },
    ...overrides,
  });
const withoutTimes = (rows: Record<string, number>[]) =>
  rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith('time/'))));

describe('EpisodeSampler', () => {
  it('plays every job exactly once over all slots, with one policy per job', async () => {
    const env = await EmbeddedVectorEnv.make({ envId: 'CartPole-v1', numEnvs: 3, seed: 0, autoresetMode: 'same_step' });
    const adapter = adapterFor(env);
    const policies = [0, 1].map(
      (seed) => new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, hiddenSizes: [8], seed }),
    );
    const sampler = new EpisodeSampler({
      envs: [env],
      adapter,
      normalizer: null,
      noise: new Rng(1),
      seed: 0,
      deterministic: false,
      recordTrajectories: true,
    });
    const batch = await sampler.run((started) =>
      started < 7 ? { policy: policies[started % 2], tag: started } : null,
    );
    expect(batch.episodes.map((e) => e.tag).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(batch.steps).toBe(batch.episodes.reduce((n, e) => n + e.length, 0));
    expect(batch.rawObs.length).toBe(batch.steps * 4);
    for (const e of batch.episodes) {
      expect(e.obs!.length).toBe(e.length * 4);
      expect(e.actions!.length).toBe(e.length);
      expect(e.return).toBe(e.length); // CartPole: +1 per step
    }
    policies.forEach((p) => p.dispose());
    await env.close();
  });
});

describe('train --algo cem|rwr|vpg|npg', () => {
  for (const algo of ['cem', 'rwr', 'vpg', 'npg'] as const) {
    it(`${algo}: runs through the shared loop and is reproducible`, async () => {
      const a = await train({ config: small({ algo, seed: 2 }), runDir: null, progress: false });
      const b = await train({ config: small({ algo, seed: 2 }), runDir: null, progress: false });
      expect(a.iterations).toBe(3);
      expect(withoutTimes(a.rows)).toEqual(withoutTimes(b.rows));
      expect(a.rows[2].env_steps).toBeGreaterThan(0);
      if (algo === 'cem') expect(a.rows[0]['cem/elite_score_mean']).toBeGreaterThanOrEqual(a.rows[0]['cem/score_mean']);
      if (algo === 'rwr')
        expect(a.rows[0]['rwr/log_likelihood_after']).toBeGreaterThan(a.rows[0]['rwr/log_likelihood_before']);
    });
  }

  it('cem: resumes from a checkpoint with its search distribution', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'vinegym-cem-')), 'run');
    dirs.push(dir);
    const straight = await train({ config: small({ algo: 'cem', iterations: 4 }), runDir: null, progress: false });
    await train({ config: small({ algo: 'cem', iterations: 2, checkpointEvery: 1 }), runDir: dir, progress: false });
    const resumed = await train({
      config: small({ algo: 'cem' }),
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
    // The search distribution continues where it was: same std as a run that never stopped
    // (env seeds differ after a resume, so only the first two rows match exactly).
    expect(lines[1]['cem/std_mean']).toBeCloseTo(straight.rows[1]['cem/std_mean'], 10);
    expect(lines[2]['cem/extra_std']).toBeCloseTo(straight.rows[2]['cem/extra_std'], 10);
  });
});
