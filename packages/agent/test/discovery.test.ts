/**
 * Discovery of `dns:<name>:<port>` servers (client/discovery.ts) against a fake resolver whose answer the test
 * changes: servers that appear are appended, servers that vanish are withdrawn (they sit out and release their
 * session) and come back when listed again; a failed lookup keeps the last answer. The samplers take envs appended
 * to their list from their next batch on. test/discovery.test.ts does the same with real server processes.
 */
import { Rng } from '@vinegym/rng';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ServerDiscovery,
  parseServerSpec,
  serverUrl,
  systemResolver,
  type DiscoveredVectorEnv,
} from '../src/client/discovery.js';
import { EmbeddedVectorEnv } from '../src/client/embedded-vector-env.js';
import type { ResilientVectorEnv } from '../src/client/resilient-vector-env.js';
import type { VectorEnv } from '../src/env/vector-env.js';
import { CategoricalMlpPolicy } from '../src/policies/mlp-policies.js';
import { liveEnvs } from '../src/sampling/recovery.js';
import { SinglePathSampler } from '../src/sampling/single-path.js';
import { spaceAdapter } from '../src/sampling/space-adapter.js';
import { tf } from './tf-setup.js';

/** Stands in for a ResilientVectorEnv: records what discovery does to it. */
class FakeServerEnv {
  available = true;
  released = 0;
  recovered = 0;
  closed = false;
  readonly spec = { num_envs: 2 } as ResilientVectorEnv['spec'];
  readonly numEnvs = 2;
  constructor(readonly url: string) {}
  async release() {
    this.released++;
    this.available = false;
  }
  async recover() {
    this.recovered++;
    this.available = true;
    return true;
  }
  async close() {
    this.closed = true;
  }
}

function fakeCluster() {
  const answer: { addresses: string[] | Error } = { addresses: [] };
  const refusing = new Set<string>();
  const opened: FakeServerEnv[] = [];
  const lookups: string[] = [];
  const discoveryFor = (envs: VectorEnv[], intervalMs = 60_000) =>
    new ServerDiscovery({
      names: [{ name: 'envs.test', port: 8765 }],
      envs,
      intervalMs,
      resolver: async (name) => {
        lookups.push(name);
        if (answer.addresses instanceof Error) throw answer.addresses;
        return answer.addresses;
      },
      connect: async (url) => {
        if (refusing.has(url)) throw new Error('connection refused');
        const env = new FakeServerEnv(url);
        opened.push(env);
        return [env] as unknown as ResilientVectorEnv[];
      },
    });
  return { answer, refusing, opened, lookups, discoveryFor };
}

const urls = (envs: VectorEnv[]) => envs.map((env) => (env as DiscoveredVectorEnv).url);

describe('server specs', () => {
  it('parses dns:<name>:<port> and passes URLs through', () => {
    expect(parseServerSpec('dns:vinegym-envs.default.svc:8765')).toEqual({
      kind: 'dns',
      name: 'vinegym-envs.default.svc',
      port: 8765,
    });
    expect(parseServerSpec('ws://10.0.0.5:8765/v1/ws')).toEqual({ kind: 'url', url: 'ws://10.0.0.5:8765/v1/ws' });
    for (const bad of ['dns:envs', 'dns::8765', 'dns:envs:0', 'dns:envs:70000', 'dns:envs:http', 'dns:a:b:8765']) {
      expect(() => parseServerSpec(bad), bad).toThrow(/expected dns:<name>:<port>/);
    }
  });

  it('writes IPv6 addresses in brackets', () => {
    expect(serverUrl('10.1.2.3', 8765)).toBe('ws://10.1.2.3:8765/v1/ws');
    expect(serverUrl('fd00::1', 8765)).toBe('ws://[fd00::1]:8765/v1/ws');
  });

  it('the system resolver finds localhost through getaddrinfo', async () => {
    expect(await systemResolver('localhost')).toContain('127.0.0.1');
  });
});

describe('ServerDiscovery with a fake resolver', () => {
  let discovery: ServerDiscovery | null = null;
  afterEach(() => discovery?.stop());

  it('appends servers that appear, withdraws those that vanish and takes them back when listed again', async () => {
    const cluster = fakeCluster();
    const envs: VectorEnv[] = [];
    cluster.answer.addresses = ['10.0.0.2', '10.0.0.1'];
    discovery = cluster.discoveryFor(envs);
    await discovery.start(1000);
    expect(urls(envs)).toEqual(['ws://10.0.0.2:8765/v1/ws', 'ws://10.0.0.1:8765/v1/ws']);

    cluster.answer.addresses = ['10.0.0.1', '10.0.0.2', 'fd00::3'];
    await discovery.refresh();
    expect(urls(envs)).toEqual(['ws://10.0.0.2:8765/v1/ws', 'ws://10.0.0.1:8765/v1/ws', 'ws://[fd00::3]:8765/v1/ws']);

    // 10.0.0.2 vanishes: it stays in the list (its index and seeds are kept) but sits out from the next batch on.
    cluster.answer.addresses = ['10.0.0.1', 'fd00::3'];
    await discovery.refresh();
    const gone = envs[0] as DiscoveredVectorEnv;
    expect(gone.withdrawn).toBe(true);
    expect(gone.available).toBe(false);
    const lost = [false, false, false];
    expect(await liveEnvs(envs, lost)).toEqual([1, 2]);
    expect(cluster.opened[0].released).toBe(1); // its session was released, politely
    expect(lost).toEqual([true, false, false]);

    // It comes back: the next batch reconnects it.
    cluster.answer.addresses = ['10.0.0.1', '10.0.0.2', 'fd00::3'];
    await discovery.refresh();
    expect(gone.withdrawn).toBe(false);
    expect(await liveEnvs(envs, lost)).toEqual([0, 1, 2]);
    expect(cluster.opened[0].recovered).toBe(1);
    expect(envs).toHaveLength(3);
    expect(cluster.opened).toHaveLength(3);
  });

  it('keeps the last answer when a lookup fails, and retries a listed server that refused', async () => {
    const cluster = fakeCluster();
    const envs: VectorEnv[] = [];
    cluster.answer.addresses = ['10.0.0.1', '10.0.0.2'];
    cluster.refusing.add('ws://10.0.0.2:8765/v1/ws');
    discovery = cluster.discoveryFor(envs);
    await discovery.start(1000);
    expect(urls(envs)).toEqual(['ws://10.0.0.1:8765/v1/ws']);

    cluster.answer.addresses = new Error('SERVFAIL');
    await discovery.refresh();
    expect(envs.map((env) => (env as DiscoveredVectorEnv).withdrawn)).toEqual([false]);

    cluster.refusing.clear();
    cluster.answer.addresses = ['10.0.0.1', '10.0.0.2'];
    await discovery.refresh();
    expect(urls(envs)).toEqual(['ws://10.0.0.1:8765/v1/ws', 'ws://10.0.0.2:8765/v1/ws']);
  });

  it('waits for a first server, and fails with the name after the wait', async () => {
    const cluster = fakeCluster();
    const envs: VectorEnv[] = [];
    discovery = cluster.discoveryFor(envs, 20);
    setTimeout(() => (cluster.answer.addresses = ['10.0.0.7']), 100);
    await discovery.start(5000);
    expect(urls(envs)).toEqual(['ws://10.0.0.7:8765/v1/ws']);
    expect(cluster.lookups.length).toBeGreaterThan(2);

    const nobody = fakeCluster();
    const started = performance.now();
    await expect(nobody.discoveryFor([], 20).start(150)).rejects.toThrow(
      'no env server found at dns:envs.test:8765 within 0.15 s',
    );
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('re-resolves periodically until an env it handed out is closed', async () => {
    const cluster = fakeCluster();
    const envs: VectorEnv[] = [];
    cluster.answer.addresses = ['10.0.0.1'];
    discovery = cluster.discoveryFor(envs, 20);
    await discovery.start(1000);
    cluster.answer.addresses = ['10.0.0.1', '10.0.0.2'];
    await until(() => envs.length === 2);
    await envs[1].close();
    const lookups = cluster.lookups.length;
    cluster.answer.addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(cluster.lookups.length).toBeLessThanOrEqual(lookups + 1); // at most one lookup was already under way
    expect(envs).toHaveLength(2);
  });

  it('gives each server one env per pipeline group; they join, sit out and come back together', async () => {
    const cluster = fakeCluster();
    const lines: string[] = [];
    const static2 = { url: 'ws://10.0.0.9:8765/v1/ws' } as unknown as VectorEnv;
    const envs: VectorEnv[] = [static2, static2]; // a static server with two groups counts as one server
    const indices: number[] = [];
    const discovery2 = new ServerDiscovery({
      names: [{ name: 'envs.test', port: 8765 }],
      envs,
      intervalMs: 60_000,
      resolver: async () => cluster.answer.addresses as string[],
      connect: async (url, serverIndex) => {
        indices.push(serverIndex);
        return [new FakeServerEnv(url), new FakeServerEnv(url)] as unknown as ResilientVectorEnv[];
      },
      log: (line) => lines.push(line),
    });
    discovery = discovery2;
    cluster.answer.addresses = ['10.0.0.1', '10.0.0.2'];
    await discovery2.start(1000);
    expect(urls(envs.slice(2))).toEqual([
      'ws://10.0.0.1:8765/v1/ws',
      'ws://10.0.0.1:8765/v1/ws',
      'ws://10.0.0.2:8765/v1/ws',
      'ws://10.0.0.2:8765/v1/ws',
    ]);
    expect(indices).toEqual([1, 2]); // places among servers (for seeds), the static one first
    expect(lines).toContain('discovery: ws://10.0.0.2:8765/v1/ws joined (3 servers)');

    cluster.answer.addresses = ['10.0.0.2'];
    await discovery2.refresh();
    expect(envs.slice(2).map((env) => (env as DiscoveredVectorEnv).withdrawn)).toEqual([true, true, false, false]);
    cluster.answer.addresses = ['10.0.0.2', '10.0.0.1'];
    await discovery2.refresh();
    expect(envs.slice(2).map((env) => (env as DiscoveredVectorEnv).withdrawn)).toEqual([false, false, false, false]);
    expect(envs).toHaveLength(6);
  });

  it('does not add a static server again when a name lists it too', async () => {
    const cluster = fakeCluster();
    const envs = [{ url: 'ws://10.0.0.1:8765/v1/ws' } as unknown as VectorEnv];
    cluster.answer.addresses = ['10.0.0.1', '10.0.0.2'];
    discovery = cluster.discoveryFor(envs);
    await discovery.start(1000);
    expect(urls(envs)).toEqual(['ws://10.0.0.1:8765/v1/ws', 'ws://10.0.0.2:8765/v1/ws']);
  });
});

describe('samplers with a growing env list', () => {
  it('the single-path sampler spreads its next batch over envs appended since the last one', async () => {
    const envs: VectorEnv[] = [
      await EmbeddedVectorEnv.make({ envId: 'CartPole-v1', numEnvs: 2, seed: 0, autoresetMode: 'same_step' }),
    ];
    const adapter = spaceAdapter(envs[0].spec.single_observation_space, envs[0].spec.single_action_space);
    const policy = new CategoricalMlpPolicy(tf, {
      obsSize: 4,
      numActions: 2,
      hiddenSizes: [8],
      activation: 'tanh',
      seed: 0,
    });
    const sampler = new SinglePathSampler({ envs, adapter, normalizer: null, noise: new Rng(0), seed: 0 });
    expect((await sampler.collect(policy, 40)).obs.length / 4).toBe(40); // 2 slots x 20 steps
    envs.push(await EmbeddedVectorEnv.make({ envId: 'CartPole-v1', numEnvs: 3, seed: 2, autoresetMode: 'same_step' }));
    expect((await sampler.collect(policy, 40)).obs.length / 4).toBe(40); // 5 slots x 8 steps
    expect(sampler.numEnvs).toBe(5);
    policy.dispose();
    await Promise.all(envs.map((env) => env.close()));
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
