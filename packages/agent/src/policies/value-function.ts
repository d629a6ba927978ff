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
import { fitMlpOnHost, type HostFitSettings, type HostFitState } from './host-value-fit.js';
import { ValueFitThread } from './value-fit-thread.js';

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
   * Adam on an MLP: run the minibatch steps on host copies of the weights (host-value-fit.ts), the same steps as
   * the tensor ops take up to float rounding, far faster on small networks. Default true; false: the tensor ops.
   */
  hostFit?: boolean;
  /**
   * The host fit's kernels: 'simd' (WebAssembly SIMD where the runtime has it) or 'js' (scalar JavaScript). The
   * same weights to the last bit; 'simd' is faster. Default 'simd'.
   */
  hostKernel?: 'simd' | 'js';
  /**
   * With the host fit: `fitAsync` runs it on a worker thread (value-fit-thread.ts), so the caller can do other
   * work meanwhile; the weights are the same to the last bit as in line. Default false.
   */
  overlapFit?: boolean;
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
  private readonly hostKernel: 'simd' | 'js';
  /** The worker thread of `fitAsync`, when the fit can run there. */
  private readonly thread: ValueFitThread | null;
  /** Whether a `fitAsync` is in flight: the weights, moments and generator are then the thread's. */
  private fitting = false;

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
      hostFit = true,
      hostKernel = 'simd',
      overlapFit = false,
    } = options;
    this.optimizerKind = optimizer;
    this.hostFit = hostFit;
    this.hostKernel = hostKernel;
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
    this.thread = this.fitsOnHost() && overlapFit ? new ValueFitThread() : null;
    this.thread?.warmUp();
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
    this.assertIdle();
    return downloadTidy(this.tf, () => this.values(this.tf.tensor2d(obs, [obs.length / this.obsSize, this.obsSize])));
  }

  /** Regresses V(s) onto `targets` (e.g. λ-returns) with `epochs` passes of shuffled minibatches. */
  fit(obs: Float32Array, targets: Float32Array): ValueFitStats {
    this.assertIdle();
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
    if (this.fitsOnHost()) {
      const state = this.hostFitState();
      fitMlpOnHost(this.hostFitSettings(), state, obs, targets);
      this.applyHostFitState(state);
    } else if (this.optimizerKind === 'adam') this.fitWithTape(allObs, allTargets, meanSquaredError);
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
   * `fit`, on the worker thread when the fit runs on the host and `overlapFit` is on (else in line, resolved at
   * once). Until it settles the value function must not be used: `predict`, `fit` and the state accessors throw.
   * The losses before and after are computed on this thread, around the fit. `fitMs`: the fit's own time.
   */
  async fitAsync(obs: Float32Array, targets: Float32Array): Promise<ValueFitStats & { fitMs: number }> {
    if (!this.thread) {
      const started = performance.now();
      return { ...this.fit(obs, targets), fitMs: performance.now() - started };
    }
    this.assertIdle();
    const lossBefore = this.meanSquaredError(obs, targets);
    this.fitting = true;
    let result: Awaited<ReturnType<ValueFitThread['fit']>>;
    try {
      result = await this.thread.fit({ settings: this.hostFitSettings(), state: this.hostFitState(), obs, targets });
    } finally {
      this.fitting = false;
    }
    this.applyHostFitState(result.state);
    return { lossBefore, lossAfter: this.meanSquaredError(obs, targets), fitMs: result.fitMs };
  }

  /** Whether `fitAsync` runs on the worker thread (and so returns before the fit is done). */
  get overlapsFit(): boolean {
    return this.thread !== null;
  }

  private fitsOnHost(): boolean {
    return this.optimizerKind === 'adam' && this.hostFit && this.network instanceof Mlp;
  }

  private hostFitSettings(): HostFitSettings {
    const network = this.network as Mlp;
    return {
      sizes: [this.obsSize, ...network.layers.map((layer) => layer.bias.size)],
      activation: network.activation,
      epochs: this.epochs,
      minibatchSize: this.minibatchSize,
      adam: this.optimizer.options,
      kernel: this.hostKernel,
    };
  }

  /** The weights (a copy), the Adam moments (the live arrays) and the generator state. */
  private hostFitState(): HostFitState {
    const { moments } = this.optimizer;
    return {
      params: getFlatParams(this.variables),
      adamFirst: moments.first,
      adamSecond: moments.second,
      adamStep: moments.step,
      rng: this.rng.state(),
    };
  }

  private applyHostFitState(state: HostFitState): void {
    const { moments } = this.optimizer;
    setFlatParams(this.tf, this.variables, state.params);
    if (state.adamFirst !== moments.first) moments.first.set(state.adamFirst);
    if (state.adamSecond !== moments.second) moments.second.set(state.adamSecond);
    moments.step = state.adamStep;
    this.rng.setState(state.rng);
  }

  /** The batch's mean squared error, as `fit` reports it. */
  private meanSquaredError(obs: Float32Array, targets: Float32Array): number {
    const tf = this.tf;
    return tf.tidy(() => {
      const error = tf.sub(this.values(tf.tensor2d(obs, [targets.length, this.obsSize])), tf.tensor1d(targets));
      return tf.mean(tf.square(error)).dataSync()[0];
    });
  }

  private assertIdle(): void {
    if (this.fitting) throw new Error('the value function is being fitted on its worker thread');
  }

  serialize(): Float32Array[] {
    this.assertIdle();
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  load(weights: Float32Array[]): void {
    loadWeights(this.tf, this.variables, weights);
  }

  /** Optimizer moments and minibatch-order RNG: with the weights, everything `fit` depends on. */
  trainingState(): { optimizer: AdamState; rng: RngState } {
    this.assertIdle();
    return { optimizer: this.optimizer.state(), rng: this.rng.state() };
  }

  setTrainingState(state: { optimizer: AdamState; rng: RngState }): void {
    this.optimizer.setState(state.optimizer);
    this.rng.setState(state.rng);
  }

  dispose(): void {
    void this.thread?.close();
    for (const v of this.variables) v.dispose();
  }
}
