/**
 * Fully connected policies.
 *
 * Paper, Appendix A / Table 2: locomotion policies had one hidden layer of 30 (swimmer) or 50 (hopper, walker)
 * units with soft-rectifier nonlinearities, a Gaussian whose mean is the network output and whose diagonal
 * covariance is learned but state-independent. Our default, [64, 64] tanh, is the common modern choice
 * (Baselines, Spinning Up, CleanRL); pass `hiddenSizes: [50]` for the paper's size.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import type { CategoricalParams, GaussianParams, PlainDistParams } from './distributions.js';
import { HostPolicyForward } from './host-forward.js';
import { Mlp, POLICY_OUTPUT_GAIN, type Activation } from './layers.js';
import { MlpJacobian } from './mlp-jacobian.js';
import { PolicyBase, type HostPolicyNetwork, type PolicyJacobian } from './policy.js';

export interface MlpPolicyOptions {
  obsSize: number;
  /** Default [64, 64]. */
  hiddenSizes?: number[];
  /** Default 'tanh'. */
  activation?: Activation;
  /** Seed of the weight initialization. Default 0. */
  seed?: number;
  /**
   * `act` computes the distribution parameters on host arrays from a copy of the weights that follows every
   * change of the variables (host-forward.ts), instead of through tfjs: the same parameters up to float32
   * rounding, a fraction of the cost for the few rows a sampler acts on. Default true.
   */
  hostForward?: boolean;
  /**
   * Batches of more rows than this go through tfjs even with `hostForward`: its multithreaded kernels overtake
   * the host loop beyond a few dozen rows (bench:policy-act, docs/latency.md). Default 32.
   */
  hostForwardMaxRows?: number;
}

export const HOST_FORWARD_MAX_ROWS = 32;

/** The host forward of an MLP policy, or null where `options` turn it off. */
function hostForward(
  variables: tfType.Variable[],
  network: HostPolicyNetwork,
  options: MlpPolicyOptions,
): HostPolicyForward | null {
  const { hostForward: on = true, hostForwardMaxRows = HOST_FORWARD_MAX_ROWS } = options;
  return on ? new HostPolicyForward(variables, network, hostForwardMaxRows) : null;
}

export class GaussianMlpPolicy extends PolicyBase {
  readonly kind = 'gaussian' as const;
  readonly actionDim: number;
  readonly meanNetwork: Mlp;
  /** log σ per action dimension, shared by all states (paper Appendix A). */
  readonly logStd: tfType.Variable;
  readonly variables: tfType.Variable[];
  readonly hostNetwork: HostPolicyNetwork;
  private readonly host: HostPolicyForward | null;

  constructor(tf: Tf, options: MlpPolicyOptions & { actionDim: number; initialLogStd?: number }) {
    super(tf, [options.obsSize]);
    const { obsSize, actionDim, hiddenSizes = [64, 64], activation = 'tanh', seed = 0, initialLogStd = 0 } = options;
    this.actionDim = actionDim;
    this.meanNetwork = new Mlp(tf, {
      inputSize: obsSize,
      hiddenSizes,
      outputSize: actionDim,
      activation,
      outputGain: POLICY_OUTPUT_GAIN,
      seed,
    });
    this.logStd = tf.variable(tf.fill([actionDim], initialLogStd));
    this.variables = [...this.meanNetwork.variables, this.logStd];
    this.hostNetwork = { sizes: [obsSize, ...hiddenSizes, actionDim], activation };
    this.host = hostForward(this.variables, this.hostNetwork, options);
  }

  protected override hostDistributionParams(obs: Float32Array, rows: number): PlainDistParams | null {
    if (this.host === null || rows > this.host.maxRows) return null;
    const { outputs: mean, params } = this.host.forward(obs, rows);
    // log σ is the last variable: broadcast over the rows, as distributionParams does.
    const sharedLogStd = params.subarray(params.length - this.actionDim);
    const logStd = new Float32Array(mean.length);
    for (let row = 0; row < rows; row++) logStd.set(sharedLogStd, row * this.actionDim);
    return { kind: 'gaussian', mean, logStd, actionDim: this.actionDim };
  }

  distributionParams(obs: tfType.Tensor): GaussianParams {
    const tf = this.tf;
    return tf.tidy(() => {
      const mean = this.meanNetwork.apply(tf, obs as tfType.Tensor2D);
      // Broadcast to [batch, actionDim] so per-sample code never special-cases the shared log σ.
      const logStd = tf.add(tf.zerosLike(mean), this.logStd) as tfType.Tensor2D;
      return { kind: 'gaussian' as const, mean, logStd };
    });
  }

  linearize(obs: tfType.Tensor, tangents: tfType.Tensor[]): { params: GaussianParams; tangent: GaussianParams } {
    const tf = this.tf;
    return tf.tidy(() => {
      const { output: mean, tangent: meanTangent } = this.meanNetwork.applyWithTangent(
        tf,
        obs as tfType.Tensor2D,
        tangents.slice(0, -1),
      );
      const broadcast = (x: tfType.Tensor) => tf.add(tf.zerosLike(mean), x) as tfType.Tensor2D;
      return {
        params: { kind: 'gaussian' as const, mean, logStd: broadcast(this.logStd) },
        tangent: { kind: 'gaussian' as const, mean: meanTangent, logStd: broadcast(tangents[tangents.length - 1]) },
      };
    });
  }

  jacobian(obs: tfType.Tensor): PolicyJacobian {
    const tf = this.tf;
    const network = new MlpJacobian(tf, this.meanNetwork, obs as tfType.Tensor2D);
    const broadcast = (x: tfType.Tensor) => tf.add(tf.zerosLike(network.outputs), x) as tfType.Tensor2D;
    const params: GaussianParams = {
      kind: 'gaussian',
      mean: network.outputs,
      logStd: tf.tidy(() => broadcast(this.logStd)),
    };
    return {
      params,
      jacobianProduct: (tangents) => ({
        kind: 'gaussian',
        mean: network.jacobianProduct(tangents.slice(0, -1)),
        logStd: tf.tidy(() => broadcast(tangents[tangents.length - 1])),
      }),
      transposeProduct: (weights) => {
        const { mean, logStd } = weights as GaussianParams;
        return [...network.transposeProduct(mean), tf.sum(logStd, 0)];
      },
      dispose: () => {
        params.logStd.dispose();
        network.dispose();
      },
    };
  }
}

export class CategoricalMlpPolicy extends PolicyBase {
  readonly kind = 'categorical' as const;
  readonly numActions: number;
  readonly logitsNetwork: Mlp;
  readonly variables: tfType.Variable[];
  readonly hostNetwork: HostPolicyNetwork;
  private readonly host: HostPolicyForward | null;

  constructor(tf: Tf, options: MlpPolicyOptions & { numActions: number }) {
    super(tf, [options.obsSize]);
    const { obsSize, numActions, hiddenSizes = [64, 64], activation = 'tanh', seed = 0 } = options;
    this.numActions = numActions;
    this.logitsNetwork = new Mlp(tf, {
      inputSize: obsSize,
      hiddenSizes,
      outputSize: numActions,
      activation,
      outputGain: POLICY_OUTPUT_GAIN,
      seed,
    });
    this.variables = this.logitsNetwork.variables;
    this.hostNetwork = { sizes: [obsSize, ...hiddenSizes, numActions], activation };
    this.host = hostForward(this.variables, this.hostNetwork, options);
  }

  protected override hostDistributionParams(obs: Float32Array, rows: number): PlainDistParams | null {
    if (this.host === null || rows > this.host.maxRows) return null;
    return { kind: 'categorical', logits: this.host.forward(obs, rows).outputs, numActions: this.numActions };
  }

  distributionParams(obs: tfType.Tensor): CategoricalParams {
    return {
      kind: 'categorical',
      logits: this.tf.tidy(() => this.logitsNetwork.apply(this.tf, obs as tfType.Tensor2D)),
    };
  }

  linearize(obs: tfType.Tensor, tangents: tfType.Tensor[]): { params: CategoricalParams; tangent: CategoricalParams } {
    const { output, tangent } = this.tf.tidy(() =>
      this.logitsNetwork.applyWithTangent(this.tf, obs as tfType.Tensor2D, tangents),
    );
    return { params: { kind: 'categorical', logits: output }, tangent: { kind: 'categorical', logits: tangent } };
  }

  jacobian(obs: tfType.Tensor): PolicyJacobian {
    const network = new MlpJacobian(this.tf, this.logitsNetwork, obs as tfType.Tensor2D);
    return {
      params: { kind: 'categorical', logits: network.outputs },
      jacobianProduct: (tangents) => ({ kind: 'categorical', logits: network.jacobianProduct(tangents) }),
      transposeProduct: (weights) => network.transposeProduct((weights as CategoricalParams).logits),
      dispose: () => network.dispose(),
    };
  }
}
