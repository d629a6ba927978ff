/**
 * The stochastic policy π_θ(a|s) of the paper: a network mapping observations to the parameters of an action
 * distribution (Appendix A). θ is `variables`, in order; TRPO only ever touches the policy through
 * `distributionParams` (differentiable) and the variables.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { loadWeights } from '../math/flat.js';
import type { NoiseSource } from '@vinegym/rng';
import type { Activation } from './layers.js';
import {
  sampleCategorical,
  sampleGaussian,
  plainLogProb,
  softmaxRow,
  toPlainDistParams,
  type DistKind,
  type DistParams,
  type PlainDistParams,
} from './distributions.js';

/** A fully connected network's layout: layer sizes [inputs, ...hidden, outputs] and the hidden activation. */
export interface HostPolicyNetwork {
  sizes: number[];
  activation: Activation;
}

/** J of a policy's distribution parameters on one batch (Policy.jacobian); holds tensors until disposed. */
export interface PolicyJacobian {
  /** The distribution parameters on the batch. */
  readonly params: DistParams;
  /** J v: the parameters' directional derivative along `tangents` (one tensor per variable, shaped like it). */
  jacobianProduct(tangents: tfType.Tensor[]): DistParams;
  /** Jᵀ w: the gradient of Σ params ⊙ weights, one tensor per variable. */
  transposeProduct(weights: DistParams): tfType.Tensor[];
  dispose(): void;
}

export interface ActResult {
  /** Gaussian: float batch × actionDim, row-major; categorical: one action index per row. */
  actions: Float32Array | Int32Array;
  /** log π(a|s) of the returned actions (the q(a|s) of the importance ratio, paper eq. 29). */
  logProbs: Float32Array;
  distParams: PlainDistParams;
}

export interface Policy {
  readonly kind: DistKind;
  /** Shape of one observation, e.g. [obsSize] or [52, 40, 4]. */
  readonly obsShape: number[];
  /** θ, in a fixed order. */
  readonly variables: tfType.Variable[];
  /** Distribution parameters for a batch of observations [batch, ...obsShape]; differentiable in θ. */
  distributionParams(obs: tfType.Tensor): DistParams;
  /**
   * Optional forward-mode derivative: the distribution parameters and their directional derivative J·v when θ
   * moves along `tangents` (one tensor per variable, shaped like it). Policies that have it get Fisher-vector
   * products as Jᵀ M J v from first-order gradients only (algos/trpo/fisher.ts).
   */
  linearize?(obs: tfType.Tensor, tangents: tfType.Tensor[]): { params: DistParams; tangent: DistParams };
  /**
   * Optional: products with the Jacobian J of the distribution parameters with respect to θ on a fixed batch,
   * with everything that does not depend on the vector computed once (the Fisher-vector products of one
   * conjugate-gradient solve share it). Fully connected policies have it (policies/mlp-jacobian.ts).
   */
  jacobian?(obs: tfType.Tensor): PolicyJacobian;
  /**
   * Optional: the policy as a plain fully connected network, when it is one. θ is then the network's parameters
   * in `Mlp.variables` order followed, for a Gaussian, by log σ; TRPO's update may then run on typed arrays
   * (algos/trpo/host-problem.ts) instead of tensor ops.
   */
  readonly hostNetwork?: HostPolicyNetwork;
  /**
   * One batched forward pass for a batch of observations (row-major, batch × obsSize). Noise is drawn from
   * `noise` in row order (Gaussian: one normal per action dimension; categorical: one uniform per row), so equal
   * noise states give equal actions. `deterministic` returns the mean / most probable action.
   */
  act(obs: Float32Array, noise: NoiseSource, deterministic?: boolean): ActResult;
  /** Copies of the weights, one array per variable. */
  serialize(): Float32Array[];
  load(weights: Float32Array[]): void;
  dispose(): void;
}

/** A batch of `n` observations and actions (row-major arrays) as the tensors `distributionParams` and logProb take. */
export function batchTensors(
  tf: Tf,
  policy: Policy,
  obs: Float32Array,
  actions: Float32Array | Int32Array,
  n: number,
): { obs: tfType.Tensor; actions: tfType.Tensor } {
  return {
    obs: tf.tensor(obs, [n, ...policy.obsShape]),
    actions:
      policy.kind === 'gaussian'
        ? tf.tensor2d(actions, [n, actions.length / n], 'float32')
        : tf.tensor1d(actions, 'int32'),
  };
}

export abstract class PolicyBase implements Policy {
  abstract readonly kind: DistKind;
  abstract readonly variables: tfType.Variable[];
  readonly obsSize: number;

  constructor(
    protected readonly tf: Tf,
    readonly obsShape: number[],
  ) {
    this.obsSize = obsShape.reduce((a, b) => a * b, 1);
  }

  abstract distributionParams(obs: tfType.Tensor): DistParams;

  act(obs: Float32Array, noise: NoiseSource, deterministic = false): ActResult {
    const batchSize = obs.length / this.obsSize;
    if (!Number.isInteger(batchSize))
      throw new RangeError(`observation batch length ${obs.length} is not a multiple of ${this.obsSize}`);
    const distParams =
      this.hostDistributionParams(obs, batchSize) ??
      this.tf.tidy(() =>
        toPlainDistParams(this.distributionParams(this.tf.tensor(obs, [batchSize, ...this.obsShape]))),
      );
    const actions = chooseActions(distParams, noise, deterministic);
    return { actions, logProbs: plainLogProb(distParams, actions), distParams };
  }

  /**
   * The distribution parameters of `act` computed without tensors from the current variables, or null where the
   * policy has no such path (then `act` runs `distributionParams` through tfjs).
   */
  protected hostDistributionParams(_obs: Float32Array, _rows: number): PlainDistParams | null {
    return null;
  }

  serialize(): Float32Array[] {
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  load(weights: Float32Array[]): void {
    loadWeights(this.tf, this.variables, weights);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

function chooseActions(params: PlainDistParams, noise: NoiseSource, deterministic: boolean): Float32Array | Int32Array {
  if (params.kind === 'gaussian') {
    if (deterministic) return Float32Array.from(params.mean);
    return sampleGaussian(
      params.mean,
      params.logStd,
      Float64Array.from({ length: params.mean.length }, () => noise.normal()),
    );
  }
  const rows = params.logits.length / params.numActions;
  if (deterministic) {
    return Int32Array.from({ length: rows }, (_, row) => {
      const probs = softmaxRow(params.logits, row, params.numActions);
      return probs.indexOf(Math.max(...probs));
    });
  }
  return sampleCategorical(
    params.logits,
    params.numActions,
    Float64Array.from({ length: rows }, () => noise.uniform()),
  );
}
