/**
 * The value function's Adam regression of an MLP on host arrays, as one function of plain data: the settings, the
 * state it advances (weights, Adam moments and step, the minibatch-order generator) and the batch. ValueFunction
 * calls it in line (`valueFunction.hostFit`), and a worker thread calls the same function on a copy of the same
 * state (`valueFunction.overlapFit`, value-fit-thread.ts), so both give the same weights to the last bit.
 *
 * Each epoch draws a permutation of the rows and takes one Adam step per minibatch of it, in order:
 *   θ ← Adam(θ, ∇θ (1/|B|) Σ_{i∈B} (V_θ(s_i) − R̂_i)²)
 *
 * Two kernels take the step with the same arithmetic, to the last bit: WebAssembly SIMD (simd-mlp-regression.ts,
 * the default where the runtime has it) and scalar JavaScript (MlpRegression and AdamMoments, the fallback and the
 * reference the SIMD kernels are tested against).
 */
import { Rng, type RngState } from '@vinegym/rng';
import { AdamMoments, type AdamHyperparameters } from '../math/adam-moments.js';
import { simdKernelsSupported } from '../math/simd-kernels.js';
import type { Activation } from './layers.js';
import { MlpRegression } from './mlp-regression.js';
import { SimdMlpRegression, type RegressionState } from './simd-mlp-regression.js';

export interface HostFitSettings {
  /** [inputs, ...hidden, 1]. */
  sizes: number[];
  activation: Activation;
  epochs: number;
  minibatchSize: number;
  adam: AdamHyperparameters;
  /**
   * Which kernels take the steps: 'simd' (WebAssembly SIMD; scalar JavaScript where the runtime has no SIMD) or
   * 'js' (scalar JavaScript). Both give the same weights to the last bit. Default 'simd'.
   */
  kernel?: 'simd' | 'js';
}

/** Everything a fit reads and advances; arrays are updated in place. */
export interface HostFitState {
  /** Flat weights in the order of `Mlp.variables` (per layer: weight, inputs × outputs row-major, then bias). */
  params: Float32Array;
  adamFirst: Float32Array;
  adamSecond: Float32Array;
  adamStep: number;
  rng: RngState;
}

/** `epochs` passes of shuffled minibatches over (obs, targets); advances `state`. */
export function fitMlpOnHost(
  settings: HostFitSettings,
  state: HostFitState,
  obs: Float32Array,
  targets: Float32Array,
): void {
  const { sizes, activation, epochs, minibatchSize } = settings;
  const obsSize = sizes[0];
  const n = targets.length;
  if (obs.length !== n * obsSize) throw new RangeError(`${obs.length} observation floats for ${n} targets`);
  const rowsMax = Math.min(n, minibatchSize);
  const useSimd = (settings.kernel ?? 'simd') === 'simd' && simdKernelsSupported();
  const regression = useSimd
    ? new SimdMlpRegression(sizes, activation, rowsMax, settings.adam, state)
    : new ScalarMinibatchStep(sizes, activation, rowsMax, settings.adam, state);
  const { x, y } = regression;
  const rng = Rng.fromState(state.rng);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(n);
    for (let start = 0; start < n; start += minibatchSize) {
      const rows = Math.min(n, start + minibatchSize) - start;
      for (let r = 0; r < rows; r++) {
        const i = order[start + r];
        x.set(obs.subarray(i * obsSize, (i + 1) * obsSize), r * obsSize);
        y[r] = targets[i];
      }
      regression.step(rows);
    }
  }
  regression.save(state);
  state.rng = rng.state();
}

/** The scalar JavaScript step, with the interface of SimdMlpRegression; works on the state's arrays in place. */
class ScalarMinibatchStep {
  readonly x: Float32Array;
  readonly y: Float32Array;
  private readonly regression: MlpRegression;
  private readonly adam: AdamMoments;
  private readonly gradient: Float32Array;

  constructor(
    sizes: number[],
    activation: Activation,
    maxRows: number,
    adam: AdamHyperparameters,
    private readonly state: RegressionState,
  ) {
    this.regression = new MlpRegression(sizes, activation, maxRows);
    this.adam = new AdamMoments(adam, state.adamFirst, state.adamSecond, state.adamStep);
    this.gradient = new Float32Array(state.params.length);
    this.x = new Float32Array(maxRows * sizes[0]);
    this.y = new Float32Array(maxRows);
  }

  step(rows: number): void {
    this.regression.lossAndGradient(this.state.params, this.x, this.y, rows, this.gradient);
    this.adam.update(this.state.params, this.gradient);
  }

  save(state: RegressionState): void {
    state.adamStep = this.adam.step;
  }
}
