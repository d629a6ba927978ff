/**
 * State-value baseline V(s) for advantage estimation. The paper's TRPO experiments used Monte-Carlo Q without
 * a learned baseline (a value-function variance reduction was deferred to a later paper, GAE, which fits V by a
 * trust-region / L-BFGS regression). We fit V by plain minibatch regression on the return targets with Adam for a
 * few epochs per batch, as Spinning Up and CleanRL do: simpler, robust, and good enough as a baseline.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { Adam, type AdamState } from '../math/adam.js';
import { downloadTidy, flattenTensors, getFlatParams, loadWeights, setFlatParams } from '../math/flat.js';
import { lbfgsMinimize } from '../math/lbfgs.js';
import { Rng, type RngState } from '@vinegym/rng';
import { AtariCnn } from './atari-cnn.js';
import { Mlp, VALUE_OUTPUT_GAIN, type Activation } from './layers.js';
import { MlpRegression } from './mlp-regression.js';

export interface ValueFunctionOptions {
  obsSize: number;
  /**
   * Shape of one observation; default [obsSize]. Images ([height, width, channels]) get the paper's Atari CNN
   * with one output: an MLP on thousands of pixels saturates its first tanh layer and predicts a constant.
   */
  obsShape?: number[];
  /** MLP hidden layers. Default [64, 64]. */
  hiddenSizes?: number[];
  /** MLP activation. Default 'tanh'. */
  activation?: Activation;
  /** Adam step size. Default 2e-3. */
  learningRate?: number;
  /** Passes over the batch per `fit`. Default 3. */
  epochs?: number;
  /** Default 256. */
  minibatchSize?: number;
  /** Seeds the initialization and the minibatch order. Default 0. */
  seed?: number;
  /**
   * 'adam': `epochs` passes of shuffled minibatches; 'lbfgs': L-BFGS on the whole batch for `epochs` iterations
   * (as modular_rl fits its baseline), far fewer tensor ops per fit. Default 'adam'.
   */
  optimizer?: 'adam' | 'lbfgs';
  /**
   * Adam on an MLP: run the minibatch steps on host copies of the weights (MlpRegression), the same steps as the
   * tensor ops take, far faster on small networks. Default false (the tensor ops): the host fit's floating-point
   * order differs, so making it the default changes every recorded run (behaviour-unchanged.test.ts); opt in.
   */
  hostFit?: boolean;
}

export interface ValueFitStats {
  /** Mean squared error on the whole batch before and after fitting. */
  lossBefore: number;
  lossAfter: number;
}

export class ValueFunction {
  readonly network: Mlp | AtariCnn;
  readonly variables: tfType.Variable[];
  readonly obsSize: number;
  readonly obsShape: number[];
  private readonly optimizer: Adam;
  private readonly epochs: number;
  private readonly minibatchSize: number;
  private readonly rng: Rng;
  private readonly optimizerKind: 'adam' | 'lbfgs';
  private readonly hostFit: boolean;

  constructor(
    private readonly tf: Tf,
    options: ValueFunctionOptions,
  ) {
    const {
      obsSize,
      obsShape = [obsSize],
      hiddenSizes = [64, 64],
      activation = 'tanh',
      learningRate = 2e-3,
      epochs = 3,
      minibatchSize = 256,
      seed = 0,
      optimizer = 'adam',
      hostFit = false,
    } = options;
    this.optimizerKind = optimizer;
    this.hostFit = hostFit;
    this.obsSize = obsSize;
    this.network =
      obsShape.length === 3
        ? new AtariCnn(tf, {
            inputShape: obsShape as [number, number, number],
            outputSize: 1,
            outputGain: VALUE_OUTPUT_GAIN,
            seed,
          })
        : new Mlp(tf, {
            inputSize: obsSize,
            hiddenSizes,
            outputSize: 1,
            activation,
            outputGain: VALUE_OUTPUT_GAIN,
            seed,
          });
    this.obsShape = obsShape;
    this.variables = this.network.variables;
    this.optimizer = new Adam(tf, this.variables, { learningRate });
    this.epochs = epochs;
    this.minibatchSize = minibatchSize;
    this.rng = new Rng(seed + 1);
  }

  /** V(s) for a batch [batch, obsSize] -> [batch]; differentiable. */
  values(obs: tfType.Tensor2D): tfType.Tensor1D {
    const tf = this.tf;
    return tf.tidy(() => {
      const output =
        this.network instanceof AtariCnn
          ? this.network.apply(tf, obs.as4D(-1, ...(this.obsShape as [number, number, number])))
          : this.network.apply(tf, obs);
      return tf.reshape(output, [-1]) as tfType.Tensor1D;
    });
  }

  /** V(s) for a row-major batch of observations. */
  predict(obs: Float32Array): Float32Array {
    return downloadTidy(this.tf, () => this.values(this.tf.tensor2d(obs, [obs.length / this.obsSize, this.obsSize])));
  }

  /** Regresses V(s) onto `targets` (e.g. λ-returns) with `epochs` passes of shuffled minibatches. */
  fit(obs: Float32Array, targets: Float32Array): ValueFitStats {
    const tf = this.tf;
    const n = targets.length;
    const [allObs, allTargets] = [tf.tensor2d(obs, [n, this.obsSize]), tf.tensor1d(targets)];
    const meanSquaredError = (o: tfType.Tensor2D, t: tfType.Tensor1D) =>
      tf.mean(tf.square(tf.sub(this.values(o), t))) as tfType.Scalar;
    const lossOnBatch = () => tf.tidy(() => meanSquaredError(allObs, allTargets).dataSync()[0]);
    const lossBefore = lossOnBatch();
    if (this.optimizerKind === 'lbfgs') {
      const f = (theta: Float64Array) => {
        setFlatParams(tf, this.variables, theta);
        const { value, grads } = tf.variableGrads(() => meanSquaredError(allObs, allTargets), this.variables);
        const flat = flattenTensors(
          tf,
          this.variables.map((v) => grads[v.name]),
        );
        const result = { value: value.dataSync()[0], gradient: Float64Array.from(flat.dataSync()) };
        tf.dispose([value, flat, ...Object.values(grads)]);
        return result;
      };
      const result = lbfgsMinimize(f, getFlatParams(this.variables), {
        maxIterations: this.epochs,
        gradientTolerance: 1e-8,
        relativeValueTolerance: 1e-10,
      });
      setFlatParams(tf, this.variables, result.x);
    }
    if (this.optimizerKind === 'adam' && this.hostFit && this.network instanceof Mlp) this.fitMlpOnHost(obs, targets);
    else if (this.optimizerKind === 'adam') this.fitWithTape(allObs, allTargets, meanSquaredError);
    const lossAfter = lossOnBatch();
    tf.dispose([allObs, allTargets]);
    return { lossBefore, lossAfter };
  }

  /** Adam minibatches through the tensor ops (the CNN). */
  private fitWithTape(
    allObs: tfType.Tensor2D,
    allTargets: tfType.Tensor1D,
    loss: (o: tfType.Tensor2D, t: tfType.Tensor1D) => tfType.Scalar,
  ): void {
    const tf = this.tf;
    const n = allTargets.shape[0];
    for (let epoch = 0; epoch < this.epochs; epoch++) {
      const order = this.rng.permutation(n);
      for (let start = 0; start < n; start += this.minibatchSize) {
        tf.tidy(() => {
          const indices = tf.tensor1d(
            Int32Array.from(order.subarray(start, Math.min(n, start + this.minibatchSize))),
            'int32',
          );
          this.optimizer.minimize(() =>
            loss(tf.gather(allObs, indices) as tfType.Tensor2D, tf.gather(allTargets, indices) as tfType.Tensor1D),
          );
        });
      }
    }
  }

  /**
   * The same Adam minibatches (same order, same steps) for an MLP, computed on host copies of the weights by
   * MlpRegression: one download before the epochs and one upload after them instead of ~75 tensor ops per step.
   */
  private fitMlpOnHost(obs: Float32Array, targets: Float32Array): void {
    const network = this.network as Mlp;
    const sizes = [this.obsSize, ...network.layers.map((layer) => layer.bias.size)];
    const n = targets.length;
    const rowsMax = Math.min(n, this.minibatchSize);
    const regression = new MlpRegression(sizes, network.activation, rowsMax);
    const params = getFlatParams(this.variables);
    const gradient = new Float32Array(params.length);
    const x = new Float32Array(rowsMax * this.obsSize);
    const y = new Float32Array(rowsMax);
    for (let epoch = 0; epoch < this.epochs; epoch++) {
      const order = this.rng.permutation(n);
      for (let start = 0; start < n; start += this.minibatchSize) {
        const rows = Math.min(n, start + this.minibatchSize) - start;
        for (let r = 0; r < rows; r++) {
          const i = order[start + r];
          x.set(obs.subarray(i * this.obsSize, (i + 1) * this.obsSize), r * this.obsSize);
          y[r] = targets[i];
        }
        regression.lossAndGradient(params, x, y, rows, gradient);
        this.optimizer.update(params, gradient);
      }
    }
    setFlatParams(this.tf, this.variables, params);
  }

  serialize(): Float32Array[] {
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  load(weights: Float32Array[]): void {
    loadWeights(this.tf, this.variables, weights);
  }

  /** Optimizer moments and minibatch-order RNG: with the weights, everything `fit` depends on. */
  trainingState(): { optimizer: AdamState; rng: RngState } {
    return { optimizer: this.optimizer.state(), rng: this.rng.state() };
  }

  setTrainingState(state: { optimizer: AdamState; rng: RngState }): void {
    this.optimizer.setState(state.optimizer);
    this.rng.setState(state.rng);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
