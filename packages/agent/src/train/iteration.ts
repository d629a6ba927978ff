/**
 * One TRPO iteration per sampler, as in the paper's §5 loop: (1) collect states with Q or advantage estimates,
 * (2) build the surrogate and KL constraint from sample averages, (3) take the constrained step (trpoUpdate) —
 * or, for the limiting cases, the natural step without line search (npg) or a plain gradient step (vpg).
 */
import { explainedVariance, discountedReturns, generalizedAdvantageEstimate, type AdvantageEstimate } from '../math/gae.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { Policy } from '../policies/policy.js';
import type { ValueFunction } from '../policies/value-function.js';
import type { SinglePathSampler } from '../sampling/single-path.js';
import type { PathBatch } from '../sampling/path-batch.js';
import { vineAdvantages, type VineSampler } from '../sampling/vine.js';
import type { Tf } from '../tf.js';
import { trpoUpdate, type TrpoBatch, type TrpoUpdateStats } from '../trpo/update.js';
import { vanillaPolicyGradientUpdate } from '../algos/vpg.js';
import type { TrainConfig } from './config.js';

export interface IterationOutcome {
  update: TrpoUpdateStats;
  steps: number;
  episodeReturns: number[];
  episodeLengths: number[];
  /** NaN when there is no value baseline. */
  explainedVariance: number;
  timings: { samplingMs: number; vfMs: number };
  /** Algorithm-specific metrics added to the row (e.g. CEM's elite score). */
  extra?: Record<string, number>;
}

export interface IterationParts {
  tf: Tf;
  policy: Policy;
  valueFunction: ValueFunction | null;
  normalizer: ObservationNormalizer | null;
  config: TrainConfig;
}

/** The policy step of config.algo: TRPO or NPG (trpoUpdate), or a vanilla gradient step (vpg). */
export function policyGradientUpdate(parts: IterationParts, batch: TrpoBatch): TrpoUpdateStats {
  const { tf, policy, config } = parts;
  return config.algo === 'vpg'
    ? vanillaPolicyGradientUpdate(tf, policy, batch, { ...config.vpg, normalizeAdvantages: config.trpo.normalizeAdvantages })
    : trpoUpdate(tf, policy, batch, config.trpo);
}

export async function singlePathIteration(parts: IterationParts, sampler: SinglePathSampler): Promise<IterationOutcome> {
  const { tf, policy, valueFunction, normalizer, config } = parts;
  const { gamma, gaeLambda } = config.trpo;
  let clock = performance.now();
  const batch = await sampler.collect(policy, config.stepsPerIteration);
  const samplingMs = performance.now() - clock;

  let advantages: Float32Array;
  let returns: Float32Array | null = null;
  let ev = Number.NaN;
  if (config.advantage === 'gae' && valueFunction) {
    ({ advantages, returns, explainedVariance: ev } = gaeOnPaths(valueFunction, batch, gamma, gaeLambda));
  } else {
    // The paper's single-path estimate: Q̂(s_t, a_t) = discounted sum of the rewards that followed.
    advantages = discountedReturns(batch.rewards, batch.terminated, batch.truncated, gamma);
  }

  const update = policyGradientUpdate(parts, { obs: batch.obs, actions: batch.actions, advantages, oldLogProbs: batch.logProbs });
  clock = performance.now();
  if (valueFunction && returns) valueFunction.fit(batch.obs, returns);
  const vfMs = performance.now() - clock;
  normalizer?.update(batch.rawObs);
  return {
    update,
    steps: batch.steps,
    episodeReturns: batch.episodeReturns,
    episodeLengths: batch.episodeLengths,
    explainedVariance: ev,
    timings: { samplingMs, vfMs },
  };
}

/** GAE advantages and λ-return targets of on-policy paths under the current value function. */
function gaeOnPaths(valueFunction: ValueFunction, paths: PathBatch, gamma: number, lambda: number): AdvantageEstimate & { explainedVariance: number } {
  const values = valueFunction.predict(paths.obs);
  const bootstrap = valueFunction.predict(paths.bootstrapObs);
  const estimate = generalizedAdvantageEstimate(paths.rewards, values, paths.terminated, paths.truncated, bootstrap, gamma, lambda);
  return { ...estimate, explainedVariance: explainedVariance(values, estimate.returns) };
}

export async function vineIteration(parts: IterationParts, sampler: VineSampler): Promise<IterationOutcome> {
  const { tf, policy, valueFunction, normalizer, config } = parts;
  let clock = performance.now();
  const batch = await sampler.collect(policy);
  const samplingMs = performance.now() - clock;

  clock = performance.now();
  let advantages = batch.advantages;
  let ev = Number.NaN;
  if (valueFunction && config.vine.rolloutBootstrap === 'value-function') {
    // Fit V to the trunk's λ-returns first, so the rollouts' tails are valued under the current policy.
    const trunk = gaeOnPaths(valueFunction, batch.trunk, config.trpo.gamma, config.trpo.gaeLambda);
    ev = trunk.explainedVariance;
    valueFunction.fit(batch.trunk.obs, trunk.returns);
    const tailValues = valueFunction.predict(batch.tailObs);
    const q = batch.qValues.map((qHat, j) => qHat + batch.tailDiscount[j] * tailValues[j]);
    advantages = vineAdvantages(q, batch.stateIndex, batch.numStates);
  }
  const vfMs = performance.now() - clock;

  const update = policyGradientUpdate(parts, {
    obs: batch.obs,
    actions: batch.actions,
    advantages,
    oldLogProbs: batch.oldLogProbs,
    klObs: config.vine.klStates === 'trunk' ? batch.trunk.obs : undefined,
    stateIndex: config.vine.estimator === 'self-normalized' ? batch.stateIndex : undefined,
  });
  normalizer?.update(batch.trunk.rawObs);
  return {
    update,
    steps: batch.steps,
    episodeReturns: batch.episodeReturns,
    episodeLengths: batch.episodeLengths,
    explainedVariance: ev,
    timings: { samplingMs, vfMs },
  };
}
