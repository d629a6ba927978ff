/**
 * The iteration of the policy-gradient methods (TRPO, NPG, VPG), which differ only in their step: estimate the
 * batch with advantages (advantages.ts), fit the value baseline and the normalizer to it, and step the policy.
 *
 * The step needs only the batch's advantages, computed from V before its fit, and the fit needs only the batch's
 * targets: neither reads what the other writes. So the fit starts before the step and, with
 * valueFunction.overlapFit, runs on a worker thread through the step and the next batch's sampling; the next
 * estimate awaits it before computing that batch's values, as the serial order has them. `settle` awaits it for
 * a checkpoint.
 */
import type { Algorithm, AlgorithmContext, IterationResult } from '../algos/algorithm.js';
import type { CheckpointValue } from '../run/checkpoint.js';
import { AdvantageEstimator, type PolicyGradientBatch } from './advantages.js';

/** A policy step on a batch; returns its metrics (train/…, time/…_ms). */
export type PolicyStep = (batch: PolicyGradientBatch) => Record<string, number>;

export class PolicyGradientAlgorithm implements Algorithm {
  private readonly estimator: AdvantageEstimator;

  constructor(
    context: AlgorithmContext,
    private readonly step: PolicyStep,
  ) {
    this.estimator = new AdvantageEstimator(context);
  }

  async iterate(): Promise<IterationResult> {
    const estimate = await this.estimator.estimate();
    this.estimator.finish(estimate);
    const stepMetrics = this.step(estimate.batch);
    const fitMetrics = this.estimator.takeFitMetrics();
    return {
      envSteps: estimate.envSteps,
      episodeReturns: estimate.episodeReturns,
      episodeLengths: estimate.episodeLengths,
      // The step's train/ metrics first, then the estimate's; time/ metrics in the order the phases ran.
      metrics: {
        ...others(stepMetrics),
        ...others(estimate.metrics),
        ...times(estimate.metrics),
        ...times(stepMetrics),
        ...fitMetrics,
      },
    };
  }

  settle(): Promise<void> {
    return this.estimator.settle();
  }

  save(): Record<string, CheckpointValue> {
    return this.estimator.save();
  }

  restore(state: Record<string, CheckpointValue>): void {
    this.estimator.restore(state);
  }

  dispose(): void {
    this.estimator.dispose();
  }
}

const times = (metrics: Record<string, number>) =>
  Object.fromEntries(Object.entries(metrics).filter(([name]) => name.startsWith('time/')));
const others = (metrics: Record<string, number>) =>
  Object.fromEntries(Object.entries(metrics).filter(([name]) => !name.startsWith('time/')));
