/**
 * The agent side of bench:netlinks, run as its own process (inside the agent network namespace when the harness
 * has one). argv[2] is a JSON `MeasureRequest`. Cells come in rows (same servers and sampler, one cell per link and
 * mode: "before" is the lockstep order with one session per server, "after" the pipelined samplers with each
 * server's slots in `groups` sessions): every cell of a row connects its vector envs and takes a warm-up batch, then the row's cells take turns,
 * `rounds` slices of `seconds / rounds` each, so that the machine's changing load hits all links of a row alike.
 * Prints one JSON line per cell: `{ label, sampler, rates }`, env steps/s of each slice.
 */
import {
  RemoteVectorEnv,
  Rng,
  SinglePathSampler,
  VineSampler,
  adapterFor,
  buildPolicy,
  loadTf,
  slotGroups,
  trainConfig,
  type VectorEnv,
} from '@vinegym/agent';

export interface MeasureCell {
  label: string;
  urls: string[];
  sampler: 'single-path' | 'vine';
  /** Lockstep (before latency hiding) or pipelined. */
  lockstep: boolean;
  /** Sessions per server, each with its share of the slots (pipelineGroups). */
  groups: number;
}

export interface MeasureRequest {
  envId: string;
  kwargs: Record<string, number | boolean | string | null>;
  /** Env slots per server (per vector env). */
  numEnvs: number;
  /** Measured seconds per cell, after the warm-up batch, split into `rounds` interleaved slices. */
  seconds: number;
  rounds: number;
  rows: MeasureCell[][];
}

/** Lockstep rounds per single-path batch; the vine's trunk and rollouts are scaled down to the same order. */
const ROUNDS_PER_BATCH = 16;

const request = JSON.parse(process.argv[2]) as MeasureRequest;
const { tf } = await loadTf();
const config = trainConfig({ envId: request.envId, seed: 0 });

/** Connects a cell's envs and builds its sampler; `batch` collects one batch and returns its env steps. */
async function openCell(cell: MeasureCell, envs: VectorEnv[]): Promise<() => Promise<number>> {
  for (const url of cell.urls) {
    for (const numEnvs of slotGroups(request.numEnvs, cell.groups)) {
      const options = { envId: request.envId, kwargs: request.kwargs, numEnvs, autoresetMode: 'same_step' as const };
      envs.push(await RemoteVectorEnv.connect(url, { ...options, seed: envs.reduce((n, env) => n + env.numEnvs, 0) }));
    }
  }
  const adapter = adapterFor(envs[0]);
  const policy = buildPolicy(tf, adapter, config);
  const rng = new Rng(0);
  const totalEnvs = request.numEnvs * cell.urls.length;
  if (cell.sampler === 'single-path') {
    const sampler = new SinglePathSampler({
      envs,
      adapter,
      normalizer: null,
      noise: rng,
      seed: 0,
      lockstep: cell.lockstep,
    });
    return async () => (await sampler.collect(policy, ROUNDS_PER_BATCH * totalEnvs)).steps;
  }
  const vine = { ...config.vine, rolloutSetSize: 8, rolloutLength: 10, trunkSteps: ROUNDS_PER_BATCH * totalEnvs };
  const sampler = new VineSampler({
    envs,
    adapter,
    normalizer: null,
    rng,
    seed: 0,
    gamma: 0.99,
    config: vine,
    lockstep: cell.lockstep,
  });
  return async () => (await sampler.collect(policy)).steps;
}

/** Env steps/s of whole batches over about `seconds` (a batch started before the deadline is finished and counted). */
async function slice(batch: () => Promise<number>, seconds: number): Promise<number> {
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) steps += await batch();
  return steps / ((performance.now() - start) / 1000);
}

async function measureRow(row: MeasureCell[]): Promise<{ rates: number[]; error?: string }[]> {
  const envs = row.map(() => [] as VectorEnv[]);
  try {
    const batches = await Promise.all(row.map((cell, k) => openCell(cell, envs[k])));
    for (const batch of batches) await batch();
    const rates = row.map(() => [] as number[]);
    for (let round = 0; round < request.rounds; round++) {
      for (const [k, batch] of batches.entries()) rates[k].push(await slice(batch, request.seconds / request.rounds));
    }
    return rates.map((r) => ({ rates: r }));
  } catch (err) {
    return row.map(() => ({ rates: [], error: (err as Error).message }));
  } finally {
    await Promise.all(envs.flat().map((env) => env.close().catch(() => undefined)));
  }
}

for (const row of request.rows) {
  const results = await measureRow(row);
  row.forEach((cell, k) =>
    process.stdout.write(
      `${JSON.stringify({ label: cell.label, sampler: cell.sampler, lockstep: cell.lockstep, ...results[k] })}\n`,
    ),
  );
}
process.exit(0);
