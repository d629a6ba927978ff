/**
 * The agent side of bench:netlinks, run as its own process (inside the agent network namespace when the harness
 * has one). argv[2] is a JSON `MeasureRequest`; for each cell it connects one vector env per URL, then collects
 * batches with today's samplers for `seconds` (after one warm-up batch) and prints one JSON line per cell:
 * `{ label, sampler, steps, seconds }` — env steps taken by the sampler and the wall time they took.
 */
import { RemoteVectorEnv, Rng, SinglePathSampler, VineSampler, adapterFor, buildPolicy, loadTf, trainConfig, type VectorEnv } from '@vinegym/agent';

export interface MeasureCell {
  label: string;
  urls: string[];
  sampler: 'single-path' | 'vine';
}

export interface MeasureRequest {
  envId: string;
  kwargs: Record<string, number | boolean | string | null>;
  /** Env slots per server (per vector env). */
  numEnvs: number;
  /** Measured seconds per cell, after the warm-up batch. */
  seconds: number;
  cells: MeasureCell[];
}

/** Lockstep rounds per single-path batch; the vine's trunk and rollouts are scaled down to the same order. */
const ROUNDS_PER_BATCH = 16;

const request = JSON.parse(process.argv[2]) as MeasureRequest;
const { tf } = await loadTf();
const config = trainConfig({ envId: request.envId, seed: 0 });

async function measure(cell: MeasureCell): Promise<{ steps: number; seconds: number }> {
  const envs: VectorEnv[] = [];
  try {
    for (const [k, url] of cell.urls.entries()) {
      const options = { envId: request.envId, kwargs: request.kwargs, numEnvs: request.numEnvs, autoresetMode: 'same_step' as const };
      envs.push(await RemoteVectorEnv.connect(url, { ...options, seed: k * request.numEnvs }));
    }
    const adapter = adapterFor(envs[0]);
    const policy = buildPolicy(tf, adapter, config);
    const rng = new Rng(0);
    const totalEnvs = request.numEnvs * envs.length;
    let batch: () => Promise<number>;
    if (cell.sampler === 'single-path') {
      const sampler = new SinglePathSampler({ envs, adapter, normalizer: null, noise: rng, seed: 0 });
      batch = async () => (await sampler.collect(policy, ROUNDS_PER_BATCH * totalEnvs)).steps;
    } else {
      const vine = { ...config.vine, rolloutSetSize: 8, rolloutLength: 10, trunkSteps: ROUNDS_PER_BATCH * totalEnvs };
      const sampler = new VineSampler({ envs, adapter, normalizer: null, rng, seed: 0, gamma: 0.99, config: vine });
      batch = async () => (await sampler.collect(policy)).steps;
    }
    await batch();
    let steps = 0;
    const start = performance.now();
    // Bounded: whole batches until the time is up (a batch started before the deadline is finished and counted).
    while (performance.now() - start < request.seconds * 1000) steps += await batch();
    return { steps, seconds: (performance.now() - start) / 1000 };
  } finally {
    await Promise.all(envs.map((env) => env.close().catch(() => undefined)));
  }
}

for (const cell of request.cells) {
  const result = await measure(cell).catch((err: Error) => ({ steps: 0, seconds: 0, error: err.message }));
  process.stdout.write(`${JSON.stringify({ label: cell.label, sampler: cell.sampler, ...result })}\n`);
}
process.exit(0);
