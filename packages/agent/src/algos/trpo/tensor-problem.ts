/**
 * The TRPO problem of a batch on tensor ops, for any policy: the objective and constraint of eq. 29 as
 * differentiable scalars (objectives.ts), the gradient by autodiff, Fisher-vector products by fisher.ts (from the
 * policy's Jacobian on the Fisher rows when it has one, unless `trpo.implementation` is autodiff), the KL reduced
 * over action dimensions as `trpo.klReduction` says. The line search's trials are written into the policy's
 * variables and evaluated by real forward passes.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { PolicyGradientBatch } from '../../estimation/advantages.js';
import { flatGrad, setFlatParams } from '../../math/flat.js';
import { disposeDistParams, logProb, type DistParams } from '../../policies/distributions.js';
import { batchTensors, type Policy, type PolicyJacobian } from '../../policies/policy.js';
import type { Tf } from '../../tf.js';
import type { TrpoConfig } from './config.js';
import { fisherSubsample, fisherVectorProduct, jacobianFisherProduct } from './fisher.js';
import { meanEntropy, meanKl, surrogateObjective, type SurrogateInputs } from './objectives.js';
import type { TrpoProblem } from './problem.js';

export function tensorProblem(tf: Tf, policy: Policy, batch: PolicyGradientBatch, config: TrpoConfig): TrpoProblem {
  const n = batch.advantages.length;
  const { obs, actions } = batchTensors(tf, policy, batch.obs, batch.actions, n);
  const klObs = batch.klObs
    ? tf.tensor(batch.klObs, [batch.klObs.length / policy.obsShape.reduce((a, b) => a * b, 1), ...policy.obsShape])
    : obs;
  // θ_old's distributions: constants, computed before any tape records.
  const oldParams: DistParams = policy.distributionParams(obs);
  const oldKlParams: DistParams = klObs === obs ? oldParams : policy.distributionParams(klObs);
  const inputs: SurrogateInputs = {
    actions,
    advantages: tf.tensor1d(batch.advantages),
    oldLogProbs: batch.oldLogProbs ? tf.tensor1d(batch.oldLogProbs) : logProb(tf, oldParams, actions),
    weights: batch.weights ? tf.tensor1d(batch.weights) : undefined,
    stateGroups: batch.stateIndex
      ? {
          index: tf.tensor1d(batch.stateIndex, 'int32'),
          count: batch.stateIndex.reduce((m, i) => Math.max(m, i), 0) + 1,
        }
      : undefined,
  };
  const fisherObs = fisherSubsample(tf, klObs, config.fisherSubsample);
  let jacobian: PolicyJacobian | undefined;
  const fisherProduct = (v: Float64Array): Float64Array => {
    if (config.implementation === 'autodiff' || !policy.jacobian)
      return fisherVectorProduct(tf, policy, fisherObs, v, 0, config.klReduction);
    jacobian ??= policy.jacobian(fisherObs);
    return jacobianFisherProduct(tf, policy, jacobian, v, config.klReduction);
  };
  const objective = (params: DistParams): tfType.Scalar =>
    tf.tidy(() => {
      const surrogate = surrogateObjective(tf, params, inputs);
      return config.entropyCoefficient === 0
        ? surrogate
        : tf.add(surrogate, tf.mul(config.entropyCoefficient, meanEntropy(tf, params)));
    });
  return {
    surrogateBefore: tf.tidy(() => objective(oldParams).dataSync()[0]),
    entropy: tf.tidy(() => meanEntropy(tf, oldKlParams).dataSync()[0]),
    gradient: () => Float64Array.from(flatGrad(tf, () => objective(policy.distributionParams(obs)), policy.variables)),
    fisherProduct,
    evaluate: (theta) => {
      setFlatParams(tf, policy.variables, theta);
      return tf.tidy(() => {
        const params = policy.distributionParams(obs);
        const klParams = klObs === obs ? params : policy.distributionParams(klObs);
        const kl = meanKl(tf, oldKlParams, klParams, config.klReduction).dataSync()[0];
        return { surrogate: objective(params).dataSync()[0], kl };
      });
    },
    dispose: () => {
      jacobian?.dispose();
      disposeDistParams(oldParams);
      if (klObs !== obs) {
        disposeDistParams(oldKlParams);
        klObs.dispose();
      }
      tf.dispose([obs, actions, inputs.advantages, inputs.oldLogProbs, fisherObs]);
      if (inputs.weights) inputs.weights.dispose();
      if (inputs.stateGroups) inputs.stateGroups.index.dispose();
    },
  };
}
