/**
 * Latency hiding over real sockets: env servers on loopback behind the delaying TCP proxy (2 ms RTT). The pipelined
 * samplers, with each server's slots in two sessions, give the batches of lockstep bit for bit; `train` opens
 * `pipelineGroups` sessions per server and learns through the delay exactly what it learns without it.
 */
import { createServer, type VinegymServer } from '@vinegym/env-server';
import { Rng } from '@vinegym/rng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteVectorEnv } from '../../packages/agent/src/client/remote-vector-env.js';
import { trainConfig } from '../../packages/agent/src/config/train-config.js';
import type { VectorEnv } from '../../packages/agent/src/env/vector-env.js';
import { loadTf } from '../../packages/agent/src/tf.js';
import { CategoricalMlpPolicy } from '../../packages/agent/src/policies/mlp-policies.js';
import { SinglePathSampler } from '../../packages/agent/src/sampling/single-path.js';
import { spaceAdapter } from '../../packages/agent/src/sampling/space-adapter.js';
import { VineSampler } from '../../packages/agent/src/sampling/vine.js';
import { openEnvs, closeEnvs } from '../../packages/agent/src/train/setup.js';
import { train } from '../../packages/agent/src/train/trainer.js';
import { DelayProxy } from './delay-proxy.js';

const RTT_MS = 2;
const servers: VinegymServer[] = [];
const proxies: DelayProxy[] = [];
/** ws:// URLs of the servers through their proxies. */
let delayed: string[] = [];
let direct: string[] = [];

beforeAll(async () => {
  for (let k = 0; k < 2; k++) {
    const server = await createServer({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    const url = new URL(server.url);
    const proxy = await DelayProxy.start({ target: { host: '127.0.0.1', port: Number(url.port) }, rttMs: RTT_MS });
    proxies.push(proxy);
    direct.push(url.toString());
    url.port = String(proxy.port);
    delayed.push(url.toString());
  }
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.close()));
  delayed = [];
  direct = [];
});

/** Two sessions of 3 slots per server through the proxies (slot seeds continue across them). */
async function sessions(): Promise<VectorEnv[]> {
  const envs: VectorEnv[] = [];
  for (const url of delayed) {
    for (let g = 0; g < 2; g++)
      envs.push(
        await RemoteVectorEnv.connect(url, {
          envId: 'CartPole-v1',
          numEnvs: 3,
          seed: envs.length * 3,
          autoresetMode: 'same_step',
        }),
      );
  }
  return envs;
}

describe('latency hiding across a delayed link (real sockets, 2 ms RTT)', () => {
  it('pipelined single-path and vine samplers give the batches of lockstep, bit for bit', async () => {
    const { tf } = await loadTf();
    const run = async (lockstep: boolean) => {
      const envs = await sessions();
      const adapter = spaceAdapter(envs[0].spec.single_observation_space, envs[0].spec.single_action_space);
      const policy = new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed: 1 });
      const single = new SinglePathSampler({ envs, adapter, normalizer: null, noise: new Rng(2), seed: 4, lockstep });
      const singleBatches = [await single.collect(policy, 240), await single.collect(policy, 240)];
      const config = {
        ...trainConfig().vine,
        rolloutSetSize: 8,
        actionsPerState: 2,
        rolloutLength: 12,
        trunkSteps: 72,
      };
      const vine = new VineSampler({
        envs,
        adapter,
        normalizer: null,
        rng: new Rng(3),
        seed: 9,
        gamma: 0.99,
        config,
        lockstep,
      });
      const vineBatch = await vine.collect(policy);
      policy.dispose();
      await closeEnvs(envs);
      return { singleBatches, vineBatch };
    };
    const pipelined = await run(false);
    expect(pipelined).toEqual(await run(true));
    expect(pipelined.singleBatches[0].steps).toBe(240);
    expect(pipelined.vineBatch.numStates).toBe(8);
  });

  it('train opens pipelineGroups sessions per server and updates as it does without the delay', async () => {
    const config = (urls: string[]) =>
      trainConfig({
        envId: 'CartPole-v1',
        servers: urls,
        numEnvs: 4,
        pipelineGroups: 2,
        iterations: 2,
        stepsPerIteration: 256,
        seed: 3,
      });
    const envs = await openEnvs(config(delayed), { reconnect: false });
    expect(envs.map((env) => env.numEnvs)).toEqual([2, 2, 2, 2]);
    await closeEnvs(envs);
    // Time and speed metrics differ between the runs; everything learned must not.
    const learned = (rows: Record<string, number>[]) =>
      rows.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([key]) => !/time|per_s|fps|elapsed/i.test(key))),
      );
    const throughProxy = await train({ config: config(delayed), runDir: null, progress: false });
    const withoutDelay = await train({ config: config(direct), runDir: null, progress: false });
    expect(throughProxy.iterations).toBe(2);
    expect(learned(throughProxy.rows)).toEqual(learned(withoutDelay.rows));
    expect(throughProxy.finalReturnMean).toBe(withoutDelay.finalReturnMean);
  });
});
