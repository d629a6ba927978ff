/**
 * Both servers expose the same Prometheus metrics: the TypeScript server (prom-client) and the Python bridge
 * (prometheus-client) get the same traffic, then their /metrics are scraped and compared: every vinegym_* family
 * has the same name, type and label names on both, and the same values; the Python bridge's process_* families
 * (prometheus-client's process collector) exist on the TypeScript server with the same types. Each server may add
 * its own runtime's families (nodejs_*, python_*). Needs the repo's .venv with the bridge (`pnpm test:setup`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndarray } from '@vinegym/protocol';
import { createServer, SERVER_ONLY_METRICS, type VinegymServer } from '@vinegym/env-server';
import { startPythonBridge, type PythonBridge } from '../examples/python-bridge/bridge-process.js';
import { TestClient } from '../packages/env-server/test/fixtures/test-client.js';

interface Family {
  type: string;
  labelNames: string[];
  /** Sample name with its labels (label values included) -> value. */
  samples: Map<string, number>;
}

/** Families of a text exposition (format 0.0.4), by name. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sample: string): Family | undefined => {
    for (const suffix of ['', '_bucket', '_sum', '_count']) {
      if (sample.endsWith(suffix) && families.has(sample.slice(0, sample.length - suffix.length))) {
        return families.get(sample.slice(0, sample.length - suffix.length));
      }
    }
    return undefined;
  };
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) families.set(type[1], { type: type[2], labelNames: [], samples: new Map() });
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) continue;
    const family = familyOf(sample[1]);
    if (!family) throw new Error(`sample of no declared family: ${line}`);
    const labels = [...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => {
      // Bucket bounds are numbers written differently by the two clients (1 vs 1.0, 0.000025 vs 2.5e-05).
      return [name, name === 'le' ? String(Number(value)) : value];
    });
    for (const [name] of labels) if (!family.labelNames.includes(name)) family.labelNames.push(name);
    const key = `${sample[1]}{${labels.map(([name, value]) => `${name}="${value}"`).join(',')}}`;
    family.samples.set(key, Number(sample[3]));
  }
  for (const family of families.values()) family.labelNames.sort();
  return families;
}

/** The same traffic for both servers: requests of every common kind, two errors, one unreadable frame. */
async function driveTraffic(url: string): Promise<TestClient> {
  const client = await TestClient.open(url);
  await client.call('list', {});
  const { session_id } = await client.call('make', { env_id: 'CartPole-v1', num_envs: 2, seed: 0 });
  await client.call('reset', { session_id });
  for (let i = 0; i < 5; i++) await client.call('step', { session_id, actions: ndarray('int64', [2], [i % 2, 1]) });
  expect(
    (await client.request('step', { session_id: 'no-such-session', actions: ndarray('int64', [2], [0, 0]) })).error
      ?.code,
  ).toBe('UNKNOWN_SESSION');
  expect((await client.request('make', { env_id: 'NoSuchEnv-v0' })).error?.code).toBe('UNKNOWN_ENV');
  client.ws.send(Buffer.from([0xc1])); // never valid MessagePack
  // A request after the unreadable frame: once it is answered, the frame has been counted.
  await client.call('list', {});
  return client;
}

async function scrape(url: string): Promise<Map<string, Family>> {
  const metricsUrl = url.replace(/^ws/, 'http').replace('/v1/ws', '/metrics');
  return parseExposition(await (await fetch(metricsUrl)).text());
}

describe('Prometheus metrics of the TypeScript server and the Python bridge', () => {
  let server: VinegymServer;
  let bridge: PythonBridge;
  let typescript: Map<string, Family>;
  let python: Map<string, Family>;

  beforeAll(async () => {
    [server, bridge] = await Promise.all([createServer({ port: 0, workers: 0 }), startPythonBridge('CartPole-v1')]);
    const clients = [await driveTraffic(server.url), await driveTraffic(bridge.url)];
    // Scraped while the connection and its session are open, so that the gauges are not all 0.
    [typescript, python] = await Promise.all([scrape(server.url), scrape(bridge.url)]);
    for (const client of clients) client.close();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([server?.close(), bridge?.stop()]);
  });

  // The TypeScript server's own resources (worker threads, its WebAssembly heap) have no counterpart in the bridge.
  const serverOnly = new Set<string>(SERVER_ONLY_METRICS);
  const vinegymFamilies = (families: Map<string, Family>) =>
    Object.fromEntries(
      [...families]
        .filter(([name]) => name.startsWith('vinegym_') && !serverOnly.has(name))
        .map(([name, f]) => [name, { type: f.type, labelNames: f.labelNames }]),
    );

  it('have the same vinegym_* names, types and label names', () => {
    expect(Object.keys(vinegymFamilies(typescript)).sort()).toEqual([
      'vinegym_connections',
      'vinegym_connections_refused_total',
      'vinegym_env_steps_total',
      'vinegym_envs',
      'vinegym_errors_total',
      'vinegym_requests_total',
      'vinegym_sessions',
      'vinegym_step_latency_seconds',
    ]);
    expect(vinegymFamilies(python)).toEqual(vinegymFamilies(typescript));
    for (const name of SERVER_ONLY_METRICS) expect(typescript.get(name)?.type, name).toBe('gauge');
  });

  it('count the same traffic the same way', () => {
    for (const name of [
      'vinegym_requests_total',
      'vinegym_errors_total',
      'vinegym_connections_refused_total',
      'vinegym_env_steps_total',
      'vinegym_connections',
      'vinegym_sessions',
      'vinegym_envs',
    ]) {
      expect(Object.fromEntries(python.get(name)!.samples), name).toEqual(
        Object.fromEntries(typescript.get(name)!.samples),
      );
    }
    const samples = typescript.get('vinegym_requests_total')!.samples;
    expect(samples.get('vinegym_requests_total{type="step"}')).toBe(6);
    expect(samples.get('vinegym_requests_total{type="invalid"}')).toBe(1);
    expect(typescript.get('vinegym_env_steps_total')!.samples.get('vinegym_env_steps_total{}')).toBe(10);
    expect(typescript.get('vinegym_envs')!.samples.get('vinegym_envs{}')).toBe(2);
    // Latencies differ; the number of timed steps and the bucket bounds do not.
    const latency = (families: Map<string, Family>) => {
      const family = families.get('vinegym_step_latency_seconds')!;
      return {
        count: family.samples.get('vinegym_step_latency_seconds_count{}'),
        buckets: [...family.samples.keys()].filter((k) => k.includes('le=')),
      };
    };
    expect(latency(python)).toEqual(latency(typescript));
    expect(latency(typescript).count).toBe(5);
  });

  it("share the Python client's process_* families with the same types", () => {
    const processFamilies = [...python].filter(([name]) => name.startsWith('process_'));
    expect(processFamilies.map(([name]) => name)).toContain('process_resident_memory_bytes');
    for (const [name, family] of processFamilies) expect(typescript.get(name)?.type, name).toBe(family.type);
  });
});
