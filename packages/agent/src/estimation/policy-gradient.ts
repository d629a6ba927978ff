/**
 * The iteration of the policy-gradient methods (TRPO, NPG, VPG), which differ only in their step: estimate the
 * batch with advantages (advantages.ts), step the policy on it, and fit the value baseline and the normalizer.
 *
 * The step needs only the batch's advantages, computed from V before its fit, and the fit needs only the batch's
 * targets: neither reads what the other writes. So the fit starts before the step and, with
 * valueFunction.overlapFit, runs on a worker thread while the step runs here; the iteration awaits it before it
 * returns, so the next batch's values come from the fitted V, as in the serial order.
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
    let clock = performance.now();
    const fitting = this.estimator.finish(estimate); // a fit in line is done when this returns
    let fitOnThisThreadMs = performance.now() - clock;
    let stepMetrics: Record<string, number>;
    try {
      stepMetrics = this.step(estimate.batch);
    } catch (error) {
      await fitting.catch(() => undefined); // leave no fit in flight behind a failed step
      throw error;
    }
    clock = performance.now();
    const fitMetrics = await fitting;
    fitOnThisThreadMs += performance.now() - clock;
    // What the fit added to the iteration: all of it in line; overlapped, only the wait after the step.
    if ('time/vf_ms' in fitMetrics) fitMetrics['time/vf_wait_ms'] = fitOnThisThreadMs;
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
