/**
 * The value function's Adam regression of an MLP on host arrays, as one function of plain data: the settings, the
 * state it advances (weights, Adam moments and step, the minibatch-order generator) and the batch. ValueFunction
 * calls it in line (`valueFunction.hostFit`), and a worker thread calls the same function on a copy of the same
 * state (`valueFunction.overlapFit`, value-fit-thread.ts), so both give the same weights to the last bit.
 *
 * Each epoch draws a permutation of the rows and takes one Adam step per minibatch of it, in order:
 *   θ ← Adam(θ, ∇θ (1/|B|) Σ_{i∈B} (V_θ(s_i) − R̂_i)²)
 */
import { Rng, type RngState } from '@vinegym/rng';
import { AdamMoments, type AdamHyperparameters } from '../math/adam-moments.js';
import type { Activation } from './layers.js';
import { MlpRegression } from './mlp-regression.js';

export interface HostFitSettings {
  /** [inputs, ...hidden, 1]. */
  sizes: number[];
  activation: Activation;
  epochs: number;
  minibatchSize: number;
  adam: AdamHyperparameters;
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
  const regression = new MlpRegression(sizes, activation, rowsMax);
  const adam = new AdamMoments(settings.adam, state.adamFirst, state.adamSecond, state.adamStep);
  const rng = Rng.fromState(state.rng);
  const gradient = new Float32Array(state.params.length);
  const x = new Float32Array(rowsMax * obsSize);
  const y = new Float32Array(rowsMax);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(n);
    for (let start = 0; start < n; start += minibatchSize) {
      const rows = Math.min(n, start + minibatchSize) - start;
      for (let r = 0; r < rows; r++) {
        const i = order[start + r];
        x.set(obs.subarray(i * obsSize, (i + 1) * obsSize), r * obsSize);
        y[r] = targets[i];
      }
      regression.lossAndGradient(state.params, x, y, rows, gradient);
      adam.update(state.params, gradient);
    }
  }
  state.adamStep = adam.step;
  state.rng = rng.state();
}
