/**
 * The batch a policy-gradient step (TRPO, NPG, VPG) works on, built as the paper's §4 describes (arXiv
 * 1502.05477): states, actions, the log-probability of the sampling distribution q and an advantage estimate per
 * state–action pair — eq. 29 with Q replaced by the advantage, which changes the objective by a constant. Two
 * procedures (`sampler`):
 *  - single path (§4.1): π_θold in every env slot; advantages by GAE(γ, λ) on a fitted value function, or the
 *    paper's discounted return (advantage.estimator = monte-carlo);
 *  - vine (§4.2): rollouts from a rollout set of states, each Q̂ minus its state's mean Q̂; with
 *    vine.rolloutBootstrap = value-function each rollout's tail is valued by V, fitted to the trunk first.
 * `finish` fits the value function to the single-path batch's λ-returns and updates the observation normalizer:
 * what the next estimate builds on. With valueFunction.overlapFit the fit runs on a worker thread, through this
 * iteration's policy step and the next batch's sampling; the next estimate awaits it after sampling, before it
 * computes that batch's values in one batched call, so every number is the serial order's.
 */
import type { AlgorithmContext } from '../algos/algorithm.js';
import {
  discountedReturns,
  explainedVariance,
  generalizedAdvantageEstimate,
  standardize,
  type AdvantageEstimate,
} from '../math/gae.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { Policy } from '../policies/policy.js';
import { ValueFunction } from '../policies/value-function.js';
import type { CheckpointValue } from '../run/checkpoint.js';
import type { PathBatch } from '../sampling/path-batch.js';
import { SinglePathSampler } from '../sampling/single-path.js';
import { vineAdvantages, VineSampler } from '../sampling/vine.js';
import { loadValueFunction, saveValueFunction } from './value-function-state.js';

/** What the surrogate objective and the KL constraint are estimated on (eq. 29's sample averages). */
export interface PolicyGradientBatch {
  /** Row-major observations, batch × obsSize. */
  obs: Float32Array;
  /** Gaussian: batch × actionDim floats; categorical: one action index per row. */
  actions: Float32Array | Int32Array;
  advantages: Float32Array;
  /** log q(a|s) of the distribution that sampled the actions; defaults to π_θold, i.e. the policy as it is now. */
  oldLogProbs?: Float32Array;
  /** Per-sample weights of the averages. */
  weights?: Float32Array;
  /** Vine with self-normalized importance sampling: the rollout-set state of each sample (0 .. N−1). */
  stateIndex?: Int32Array;
  /**
   * States on which the KL constraint (and so the Fisher matrix) is estimated, row-major; default `obs`. The
   * constraint is an expectation over the state distribution, so the vine sampler may pass every trunk state,
   * not only its small rollout set: a Fisher matrix from a few states leaves most directions unconstrained.
   */
  klObs?: Float32Array;
}

export interface AdvantageBatch {
  batch: PolicyGradientBatch;
  envSteps: number;
  episodeReturns: number[];
  episodeLengths: number[];
  /** time/sampling_ms, and with a value function train/explained_variance (and time/vf_ms for vine). */
  metrics: Record<string, number>;
  /** Single path with a value function: its regression targets, fitted by `finish` after the policy step. */
  valueTargets: { obs: Float32Array; returns: Float32Array } | null;
  /** Raw observations the normalizer is updated with by `finish`. */
  rawObs: Float32Array;
}

/** Whether a run with this config fits a value baseline: single-path GAE, or vine rollouts bootstrapped by V. */
export function usesValueFunction(config: AlgorithmContext['config']): boolean {
  return config.sampler === 'vine'
    ? config.vine.rolloutBootstrap === 'value-function'
    : config.advantage.estimator === 'gae';
}

/** The value function V a run's config describes (seeded with the run's seed + 1). */
export function valueFunctionFor(
  tf: AlgorithmContext['tf'],
  config: AlgorithmContext['config'],
  adapter: Pick<AlgorithmContext['adapter'], 'obsSize' | 'obsShape'>,
): ValueFunction {
  return new ValueFunction(tf, {
    obsSize: adapter.obsSize,
    obsShape: adapter.obsShape,
    hiddenSizes: config.policy.hiddenSizes,
    activation: config.policy.activation,
    learningRate: config.valueFunction.learningRate,
    epochs: config.valueFunction.epochs,
    minibatchSize: config.valueFunction.minibatchSize,
    optimizer: config.valueFunction.optimizer,
    hostFit: config.valueFunction.hostFit,
    hostKernel: config.valueFunction.hostKernel,
    // The vine sampler fits V inside its estimate, where nothing else can run meanwhile.
    overlapFit: config.valueFunction.overlapFit && config.sampler === 'single-path',
    seed: config.seed + 1,
  });
}

export class AdvantageEstimator {
  readonly valueFunction: ValueFunction | null;
  private readonly collect: () => Promise<AdvantageBatch>;
  private readonly normalizer: ObservationNormalizer | null;
  private readonly normalizeAdvantages: boolean;
  /** The value fit in flight on V's worker thread (overlapFit), resolving to its own time; null when none is. */
  private fitting: Promise<number> | null = null;
  /** time/vf_ms and time/vf_wait_ms of the fits completed since the last `takeFitMetrics`. */
  private fitMetrics: Record<string, number> = {};

  constructor(context: AlgorithmContext) {
    const { tf, config, adapter, envs, policy, normalizer, rng, envSeed } = context;
    this.normalizer = normalizer;
    this.normalizeAdvantages = config.advantage.normalize;
    this.valueFunction = usesValueFunction(config) ? valueFunctionFor(tf, config, adapter) : null;
    if (config.sampler === 'vine') {
      const sampler = new VineSampler({
        envs,
        adapter,
        normalizer,
        rng,
        seed: envSeed,
        gamma: config.advantage.gamma,
        config: config.vine,
      });
      this.collect = () => this.vine(sampler, policy, context.config);
    } else {
      const sampler = new SinglePathSampler({ envs, adapter, normalizer, noise: rng, seed: envSeed });
      this.collect = () => this.singlePath(sampler, policy, context.config);
    }
  }

  /**
   * States, actions and advantages of one iteration, sampled with the policy as it is now; advantages standardized
   * over the batch when advantage.normalize says so.
   */
  async estimate(): Promise<AdvantageBatch> {
    const estimate = await this.collect();
    if (this.normalizeAdvantages) estimate.batch.advantages = standardize(estimate.batch.advantages);
    return estimate;
  }

  /**
   * Fits V to the single-path λ-returns and updates the normalizer: what the next estimate builds on. The fit runs
   * in line, or starts on V's worker thread (valueFunction.overlapFit) and runs on while the caller steps the
   * policy and the next estimate samples; that estimate (or `settle`) awaits it. Its times: `takeFitMetrics`.
   */
  finish(estimate: AdvantageBatch): void {
    const targets = estimate.valueTargets;
    if (targets && this.valueFunction?.overlapsFit) {
      const done = this.valueFunction.fitAsync(targets.obs, targets.returns).then(({ fitMs }) => fitMs);
      done.catch(() => undefined); // reported by `settle`, which every later use of V goes through
      this.fitting = done;
    } else if (targets && this.valueFunction) {
      const clock = performance.now();
      this.valueFunction.fit(targets.obs, targets.returns);
      const fitMs = performance.now() - clock;
      this.recordFit(fitMs, fitMs);
    }
    this.normalizer?.update(estimate.rawObs);
  }

  /** Waits for the value fit in flight, if any: V is then the fitted one and can be read or saved. */
  async settle(): Promise<void> {
    if (!this.fitting) return;
    const done = this.fitting;
    const clock = performance.now();
    try {
      this.recordFit(await done, performance.now() - clock);
    } finally {
      this.fitting = null;
    }
  }

  /** The value fits' times since the last call: time/vf_ms (the fit's own), time/vf_wait_ms (what it held up here). */
  takeFitMetrics(): Record<string, number> {
    const metrics = this.fitMetrics;
    this.fitMetrics = {};
    return metrics;
  }

  private recordFit(fitMs: number, waitMs: number): void {
    this.fitMetrics = { 'time/vf_ms': fitMs, 'time/vf_wait_ms': waitMs };
  }

  /** Call `settle` first: a fit in flight owns V's state. */
  save(): Record<string, CheckpointValue> {
    return this.valueFunction ? saveValueFunction(this.valueFunction) : {};
  }

  restore(state: Record<string, CheckpointValue>): void {
    if (this.valueFunction) loadValueFunction(this.valueFunction, state);
  }

  dispose(): void {
    this.valueFunction?.dispose();
  }

  private async singlePath(
    sampler: SinglePathSampler,
    policy: Policy,
    config: AlgorithmContext['config'],
  ): Promise<AdvantageBatch> {
    const { gamma, lambda } = config.advantage;
    const clock = performance.now();
    const paths = await sampler.collect(policy, config.stepsPerIteration);
    const metrics: Record<string, number> = {
      'time/sampling_ms': performance.now() - clock,
      'time/act_ms': sampler.actMs,
    };
    await this.settle(); // the previous batch's fit: this batch's values come from the fitted V
    let advantages: Float32Array;
    let valueTargets: AdvantageBatch['valueTargets'] = null;
    if (config.advantage.estimator === 'gae' && this.valueFunction) {
      const gaeClock = performance.now();
      const estimate = gaeOnPaths(this.valueFunction, paths, gamma, lambda);
      advantages = estimate.advantages;
      valueTargets = { obs: paths.obs, returns: estimate.returns };
      metrics['train/explained_variance'] = estimate.explainedVariance;
      metrics['time/gae_ms'] = performance.now() - gaeClock;
    } else {
      // The paper's single-path estimate: Q̂(s_t, a_t) = discounted sum of the rewards that followed.
      advantages = discountedReturns(paths.rewards, paths.terminated, paths.truncated, gamma);
    }
    return {
      batch: { obs: paths.obs, actions: paths.actions, advantages, oldLogProbs: paths.logProbs },
      envSteps: paths.steps,
      episodeReturns: paths.episodeReturns,
      episodeLengths: paths.episodeLengths,
      metrics,
      valueTargets,
      rawObs: paths.rawObs,
    };
  }

  private async vine(
    sampler: VineSampler,
    policy: Policy,
    config: AlgorithmContext['config'],
  ): Promise<AdvantageBatch> {
    let clock = performance.now();
    const rollouts = await sampler.collect(policy);
    const metrics: Record<string, number> = { 'time/sampling_ms': performance.now() - clock };
    let advantages = rollouts.advantages;
    if (this.valueFunction) {
      // Fit V to the trunk's λ-returns first, so the rollouts' tails are valued under the current policy.
      clock = performance.now();
      const trunk = gaeOnPaths(this.valueFunction, rollouts.trunk, config.advantage.gamma, config.advantage.lambda);
      this.valueFunction.fit(rollouts.trunk.obs, trunk.returns);
      const tailValues = this.valueFunction.predict(rollouts.tailObs);
      const q = rollouts.qValues.map((qHat, j) => qHat + rollouts.tailDiscount[j] * tailValues[j]);
      advantages = vineAdvantages(q, rollouts.stateIndex, rollouts.numStates);
      metrics['train/explained_variance'] = trunk.explainedVariance;
      metrics['time/vf_ms'] = performance.now() - clock;
    }
    return {
      batch: {
        obs: rollouts.obs,
        actions: rollouts.actions,
        advantages,
        oldLogProbs: rollouts.oldLogProbs,
        klObs: config.vine.klStates === 'trunk' ? rollouts.trunk.obs : undefined,
        stateIndex: config.vine.estimator === 'self-normalized' ? rollouts.stateIndex : undefined,
      },
      envSteps: rollouts.steps,
      episodeReturns: rollouts.episodeReturns,
      episodeLengths: rollouts.episodeLengths,
      metrics,
      valueTargets: null,
      rawObs: rollouts.trunk.rawObs,
    };
  }
}

/**
 * GAE advantages and λ-return targets of on-policy paths under the current value function, with the values it
 * used (V of every observation and of every path's bootstrap observation).
 */
export function gaeOnPaths(
  valueFunction: ValueFunction,
  paths: PathBatch,
  gamma: number,
  lambda: number,
): AdvantageEstimate & { explainedVariance: number; values: Float32Array; bootstrapValues: Float32Array } {
  const values = valueFunction.predict(paths.obs);
  const bootstrap = valueFunction.predict(paths.bootstrapObs);
  const estimate = generalizedAdvantageEstimate(
    paths.rewards,
    values,
    paths.terminated,
    paths.truncated,
    bootstrap,
    gamma,
    lambda,
  );
  return {
    ...estimate,
    explainedVariance: explainedVariance(values, estimate.returns),
    values,
    bootstrapValues: bootstrap,
  };
}
