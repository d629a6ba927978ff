/**
 * What samplers do about interrupted envs (see env/interruption.ts): find the vector envs that are live for this
 * batch, reconnecting lost ones, and give up only when none comes back within a time budget.
 */
import { EnvInterruptedError, isRecoverable } from '../env/interruption.js';
import type { VectorEnv } from '../env/vector-env.js';

/** Times a sampler re-collects one batch after interruptions before giving up. */
export const MAX_BATCH_RESTARTS = 20;
/** How long a sampler waits for at least one env to come back when all are lost. */
export const ALL_LOST_WAIT_MS = 300_000;
/** Pause between rounds of reconnection attempts while no env is live (some envs answer `recover` at once). */
const ALL_LOST_POLL_MS = 500;

/**
 * Indices of the envs usable for the next batch. Lost envs are reconnected: with all their attempts the first
 * time they are found lost, then with a single attempt per batch while they stay away (so a dead server costs
 * little and rejoins when it returns). `lost[k]` remembers which envs stayed away. When no env is live,
 * keeps retrying all of them for up to `waitMs`, then throws EnvInterruptedError. `envs` may grow between rounds
 * (servers found by discovery); each round takes the envs it has then.
 */
export async function liveEnvs(envs: VectorEnv[], lost: boolean[], waitMs = ALL_LOST_WAIT_MS): Promise<number[]> {
  const deadline = performance.now() + waitMs;
  for (let round = 0; ; round++) {
    const live = await Promise.all(
      envs.map(async (env, k) => {
        if (!isRecoverable(env) || env.available) return true;
        const ok = await env.recover(lost[k] && round === 0 ? 1 : undefined);
        lost[k] = !ok;
        return ok;
      }),
    );
    const indices = live.flatMap((ok, k) => (ok ? [k] : []));
    if (indices.length > 0) return indices;
    if (performance.now() > deadline)
      throw new EnvInterruptedError(`no env server came back within ${waitMs / 1000} s`, 'all servers');
    await new Promise((resolve) => setTimeout(resolve, ALL_LOST_POLL_MS));
  }
}

/** Reconnects every lost env (for samplers that need all of them); throws EnvInterruptedError if one stays lost. */
export async function recoverAll(envs: VectorEnv[], waitMs = ALL_LOST_WAIT_MS): Promise<void> {
  const deadline = performance.now() + waitMs;
  for (const env of envs) {
    while (isRecoverable(env) && !(await env.recover())) {
      if (performance.now() > deadline)
        throw new EnvInterruptedError(`an env server did not come back within ${waitMs / 1000} s`, 'server');
      await new Promise((resolve) => setTimeout(resolve, ALL_LOST_POLL_MS));
    }
  }
}
