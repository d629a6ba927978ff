/**
 * One evaluation episode of a policy in slot 0 of a vector env (numEnvs 1), optionally handing each frame to a
 * callback: the frame before each action, so an episode of n steps gives n frames (with same-step autoreset the
 * env has already reset after the last step, so there is no picture of the final state to take).
 */
import type { NoiseSource } from '@vinegym/rng';
import type { VectorEnv } from '../env/vector-env.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { Policy } from '../policies/policy.js';
import type { SpaceAdapter } from '../sampling/space-adapter.js';

export interface EpisodeOptions {
  env: VectorEnv;
  adapter: SpaceAdapter;
  policy: Policy;
  normalizer: ObservationNormalizer | null;
  noise: NoiseSource;
  deterministic: boolean;
  seed: number;
  /** Called before each step, to take the env's picture. */
  beforeStep?: (step: number) => Promise<void>;
}

export interface Episode {
  return: number;
  length: number;
}

export async function runEpisode(options: EpisodeOptions): Promise<Episode> {
  const { env, adapter, policy, normalizer, noise } = options;
  let obs = adapter.decodeReset(await env.reset({ seed: options.seed }));
  let total = 0;
  let length = 0;
  for (;;) {
    await options.beforeStep?.(length);
    const act = policy.act(normalizer ? normalizer.normalize(obs) : obs, noise, options.deterministic);
    const step = adapter.decodeStep(await env.step(adapter.envActions(act.actions, 1)));
    total += step.rewards[0];
    length += 1;
    if (step.terminated[0] || step.truncated[0]) return { return: total, length };
    obs = step.obs;
  }
}
