/**
 * pnpm bench:protocol — CartPole-v1 env-steps/s in-process vs over loopback WebSocket for batches of 1, 16 and 256
 * envs per session, and the round-trip latency of a single-env step. Everything is measured in this one run, so the
 * ratios compare like with like. Actions are random; episodes autoreset (next_step).
 */
import { EmbeddedVectorEnv, RemoteVectorEnv, type VectorEnv } from '@vinegym/agent';
import { EnvService, createDefaultRegistry, createServer } from '@vinegym/env-server';
import { ndarray } from '@vinegym/protocol';

const SECONDS_PER_CASE = Number(process.env.BENCH_SECONDS ?? 3);

function randomActions(numEnvs: number, count: number): ReturnType<typeof ndarray<'int64'>>[] {
  // Pre-generated so that the timed loop measures the env path, not the RNG.
  return Array.from({ length: count }, () => {
    const a = new BigInt64Array(numEnvs);
    for (let i = 0; i < numEnvs; i++) a[i] = BigInt(Math.random() < 0.5 ? 0 : 1);
    return ndarray('int64', [numEnvs], a);
  });
}

/** Steps `envs` (all the same batch size) concurrently, each one step at a time, for SECONDS_PER_CASE. */
async function stepsPerSecond(envs: VectorEnv[]): Promise<number> {
  const actions = randomActions(envs[0].numEnvs, 64);
  await Promise.all(envs.map((env) => env.reset({ seed: 0 })));
  let steps = 0;
  const deadline = performance.now() + SECONDS_PER_CASE * 1000;
  const start = performance.now();
  await Promise.all(
    envs.map(async (env) => {
      let k = 0;
      while (performance.now() < deadline) {
        for (let j = 0; j < 16; j++) await env.step(actions[k++ & 63]);
        steps += 16 * env.numEnvs;
      }
    }),
  );
  return steps / ((performance.now() - start) / 1000);
}

async function latencyMicros(env: VectorEnv, count: number): Promise<{ p50: number; p99: number }> {
  const actions = randomActions(1, 64);
  await env.reset({ seed: 0 });
  for (let i = 0; i < 2000; i++) await env.step(actions[i & 63]); // warm-up: JIT, socket buffers
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await env.step(actions[i & 63]);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  return { p50: samples[Math.floor(count * 0.5)], p99: samples[Math.floor(count * 0.99)] };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  const server = await createServer({ port: 0 });
  const service = new EnvService({ registry: createDefaultRegistry() });
  console.log(`vinegym bench:protocol — CartPole-v1, ${SECONDS_PER_CASE}s per case, node ${process.version}`);
  console.log('| envs/session | sessions | in-process steps/s | loopback WS steps/s | WS / in-process |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const [numEnvs, sessions] of [
    [1, 1],
    [16, 1],
    [256, 1],
    [256, 4],
  ] as const) {
    const embedded = await Promise.all(
      Array.from({ length: sessions }, () => EmbeddedVectorEnv.make({ envId: 'CartPole-v1', numEnvs }, service)),
    );
    const remote = await Promise.all(
      Array.from({ length: sessions }, () => RemoteVectorEnv.connect(server.url, { envId: 'CartPole-v1', numEnvs })),
    );
    await stepsPerSecond(remote); // warm-up
    const inProcess = await stepsPerSecond(embedded);
    const overWs = await stepsPerSecond(remote);
    console.log(
      `| ${numEnvs} | ${sessions} | ${fmt(inProcess)} | ${fmt(overWs)} | ${(overWs / inProcess).toFixed(2)} |`,
    );
    await Promise.all([...embedded, ...remote].map((env) => env.close()));
  }
  const single = await RemoteVectorEnv.connect(server.url, { envId: 'CartPole-v1', numEnvs: 1 });
  const { p50, p99 } = await latencyMicros(single, 20_000);
  console.log(`\nsingle-env step round trip over loopback WS: p50 ${p50.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs`);
  await single.close();
  await server.close();
}

await main();
