/**
 * Reconnection: ResilientVectorEnv turns a lost server into EnvInterruptedError and reconnects with backoff; the
 * single-path sampler discards an interrupted batch, collects it again on the live servers, drops a server that
 * stays away and takes it back when it returns.
 */
import { createServer, type VinegymServer } from '@vinegym/env-server';
import type { SpaceValue } from '@vinegym/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ResilientVectorEnv } from '../src/client/resilient-vector-env.js';
import { EnvInterruptedError, type RecoverableVectorEnv } from '../src/env/interruption.js';
import type { ResetOptions } from '../src/env/vector-env.js';
import { Rng } from '@vinegym/rng';
import { CategoricalMlpPolicy } from '../src/policies/mlp-policies.js';
import { EpisodeSampler } from '../src/sampling/episodes.js';
import { SinglePathSampler } from '../src/sampling/single-path.js';
import { spaceAdapter } from '../src/sampling/space-adapter.js';
import { tf } from './tf-setup.js';

const FAST = { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50 };
let servers: VinegymServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function serve(port = 0): Promise<VinegymServer> {
  const server = await createServer({ port });
  servers.push(server);
  return server;
}

/** Delegates to a ResilientVectorEnv and runs `fault` just before its n-th step. */
class FaultInjector implements RecoverableVectorEnv {
  private steps = 0;
  constructor(
    readonly env: ResilientVectorEnv,
    private readonly atStep: number,
    private readonly fault: () => Promise<void>,
  ) {}
  get spec() {
    return this.env.spec;
  }
  get numEnvs() {
    return this.env.numEnvs;
  }
  get available() {
    return this.env.available;
  }
  recover(maxAttempts?: number) {
    return this.env.recover(maxAttempts);
  }
  reset(options?: ResetOptions) {
    return this.env.reset(options);
  }
  async step(actions: SpaceValue) {
    if (++this.steps === this.atStep) await this.fault();
    return this.env.step(actions);
  }
  snapshot(i: number[]) {
    return this.env.snapshot(i);
  }
  restore(i: number, s: Uint8Array) {
    return this.env.restore(i, s);
  }
  render(i: number) {
    return this.env.render(i);
  }
  close() {
    return this.env.close();
  }
}

describe('ResilientVectorEnv', () => {
  it('throws EnvInterruptedError when the server goes, and recovers when it is back on the same port', async () => {
    const server = await serve();
    const env = await ResilientVectorEnv.connect(server.url, {
      envId: 'CartPole-v1',
      numEnvs: 2,
      seed: 0,
      reconnect: FAST,
    });
    await env.reset();
    const actions = { dtype: 'int64', shape: [2], data: new BigInt64Array(2) } as SpaceValue;
    await env.step(actions);
    await server.close();
    await expect(env.step(actions)).rejects.toBeInstanceOf(EnvInterruptedError);
    expect(env.available).toBe(false);
    await expect(env.reset()).rejects.toBeInstanceOf(EnvInterruptedError);
    expect(await env.recover()).toBe(false); // nobody listening
    const again = await serve(server.port);
    expect(await env.recover()).toBe(true);
    expect(env.reconnects).toBe(1);
    await env.reset({ seed: 1 });
    expect((await env.step(actions)).rewards.data).toEqual(Float64Array.of(1, 1));
    expect(again.service.stats().sessions).toBe(1);
    await env.close();
  });

  it('retries the first connection with backoff until the server is up', async () => {
    const probe = await serve();
    const port = probe.port;
    await probe.close();
    const late = new Promise<VinegymServer>((resolve) => setTimeout(() => resolve(serve(port)), 300));
    const env = await ResilientVectorEnv.connect(probe.url, {
      envId: 'CartPole-v1',
      reconnect: { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 200 },
    });
    expect((await late).service.stats().sessions).toBe(1);
    await env.close();
  });
});

describe('single-path sampler with interruptions', () => {
  it('re-collects an interrupted batch on the live server, then takes the lost server back', async () => {
    const [a, b] = [await serve(), await serve()];
    const make = { envId: 'CartPole-v1', numEnvs: 2, autoresetMode: 'same_step' as const, reconnect: FAST };
    const envA = await ResilientVectorEnv.connect(a.url, { ...make, seed: 0 });
    const envB = await ResilientVectorEnv.connect(b.url, { ...make, seed: 2 });
    const faulty = new FaultInjector(envA, 30, () => a.close()); // server A dies in the middle of the batch
    const adapter = spaceAdapter(envA.spec.single_observation_space, envA.spec.single_action_space);
    const policy = new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed: 3 });
    const sampler = new SinglePathSampler({
      envs: [faulty, envB],
      adapter,
      normalizer: null,
      noise: new Rng(1),
      seed: 0,
    });

    const batch = await sampler.collect(policy, 400);
    expect(sampler.restarts).toBe(1);
    expect(batch.steps).toBe(400); // all on server B: 2 envs x 200 steps
    // The batch starts from freshly reset envs: no steps from before the interruption.
    for (const stream of [0, 1]) {
      const first = batch.rawObs.subarray(stream * 200 * 4, stream * 200 * 4 + 4);
      expect(Math.max(...first.map(Math.abs))).toBeLessThanOrEqual(0.05);
    }

    const back = await serve(a.port);
    const next = await sampler.collect(policy, 400);
    expect(next.steps).toBe(400); // 4 envs x 100 steps: A is back
    expect(back.service.stats().sessions).toBe(1);
    expect(envA.reconnects).toBe(1);
    policy.dispose();
    await Promise.all([envA.close(), envB.close()]);
  });
});

describe('episode sampler (CEM, RWR) with interruptions', () => {
  it('plays the whole batch again, from job 0, on the live server', async () => {
    const [a, b] = [await serve(), await serve()];
    const make = { envId: 'CartPole-v1', numEnvs: 2, autoresetMode: 'same_step' as const, reconnect: FAST };
    const envA = await ResilientVectorEnv.connect(a.url, { ...make, seed: 0 });
    const envB = await ResilientVectorEnv.connect(b.url, { ...make, seed: 2 });
    const faulty = new FaultInjector(envA, 5, () => a.close());
    const adapter = spaceAdapter(envA.spec.single_observation_space, envA.spec.single_action_space);
    const policy = new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed: 3 });
    const sampler = new EpisodeSampler({
      envs: [faulty, envB],
      adapter,
      normalizer: null,
      noise: new Rng(1),
      seed: 0,
      deterministic: false,
      recordTrajectories: false,
    });
    const batch = await sampler.run((started) => (started < 6 ? { policy, tag: started } : null));
    expect(batch.episodes.map((e) => e.tag).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(batch.steps).toBe(batch.episodes.reduce((n, e) => n + e.length, 0));
    policy.dispose();
    await Promise.all([envA.close(), envB.close()]);
  });
});
