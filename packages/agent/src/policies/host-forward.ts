/**
 * The MLP policies' forward pass for acting, on plain typed arrays: a host copy of θ and the matrix products of
 * the value fit's WebAssembly SIMD kernels (`SimdMlpForward`; scalar `HostMlp.forward` where the runtime has no
 * SIMD, bit for bit the same), no tensors. Choosing the actions of a few env slots is one call per turn of a
 * vector env; through tfjs that call costs a tensor upload, one op per layer and activation, and a download, whose
 * fixed cost (tens of µs each) is most of the work for a [64, 64] network on a few rows. On the host the cost is
 * the arithmetic, proportional to the rows; beyond a few dozen rows TensorFlow's kernels are faster again (the
 * policies hand such batches to tfjs, `hostForwardMaxRows`).
 *
 * Stale weights cannot happen: every write to a tf.Variable (`assign`, which `setFlatParams`, `loadWeights` and
 * every optimizer go through) gives it a new data id, and `current()` compares each variable's data id with the
 * one its copy was taken from before every forward, downloading θ again when any differs. Nothing has to remember
 * to invalidate the copy. The copy's `version` changes with it and keys the network's own copy of the weights
 * (promoted to float64, or transposed), so that too is made once per update, not once per forward.
 *
 * Rounding: products accumulate in float64 and are stored in float32 per layer, where TensorFlow's float32 kernels
 * accumulate in float32 in an order of their own; the distribution parameters therefore agree with the tensor
 * forward to float32 rounding, not bit for bit (packages/agent/test/host-forward.test.ts). Each row is
 * computed on its own, so a row's parameters do not depend on the other rows of its batch (they do through tfjs,
 * whose kernels round differently for different batch sizes).
 */
import type * as tfType from '@tensorflow/tfjs';
import { parameterCount } from '../math/flat.js';
import { simdKernelsSupported } from '../math/simd-kernels.js';
import { HostMlp } from './host-mlp.js';
import { SimdMlpForward } from './simd-mlp-forward.js';
import type { HostPolicyNetwork } from './policy.js';

/** A host copy of a list of variables, flat in their order, re-read whenever any of them has been assigned. */
export class HostWeights {
  readonly size: number;
  private readonly flat: Float32Array;
  /** The data id each variable had when its values were copied (null: never copied). */
  private readonly copiedFrom: (object | null)[];
  /** Counts the copies: a new number whenever `current()` has read any variable again. */
  private copies = 0;

  constructor(private readonly variables: readonly tfType.Variable[]) {
    this.size = parameterCount([...variables]);
    this.flat = new Float32Array(this.size);
    this.copiedFrom = variables.map(() => null);
  }

  /** θ as the variables hold it now. A view into memory of this object, rewritten when the variables change. */
  current(): Float32Array {
    let offset = 0;
    let copied = false;
    this.variables.forEach((v, i) => {
      if (v.isDisposed) throw new Error('the policy has been disposed');
      if (v.dataId !== this.copiedFrom[i]) {
        this.flat.set(v.dataSync() as Float32Array, offset);
        this.copiedFrom[i] = v.dataId;
        copied = true;
      }
      offset += v.size;
    });
    if (copied) this.copies += 1;
    return this.flat;
  }

  /** Names the values `current()` returned last: equal versions, equal values. */
  get version(): number {
    return this.copies;
  }
}

/** The forward pass of `HostMlp`: scalar JavaScript (HostMlp) or WebAssembly SIMD (SimdMlpForward), bit for bit. */
interface MlpForward {
  readonly maxRows: number;
  forward(params: Float32Array, x: Float32Array, rows: number, weightsKey?: number): Float32Array;
}

/**
 * An MLP policy's network outputs for a batch of rows, from the current values of its variables (`Mlp` layout:
 * per layer the weight, inputs × outputs row-major, then the bias; further variables, such as a Gaussian's log σ,
 * may follow), computed by `SimdMlpForward` (or `HostMlp.forward` where the runtime has no WebAssembly SIMD).
 */
export class HostPolicyForward {
  private readonly weights: HostWeights;
  private network: MlpForward | null = null;

  /** `maxRows`: the largest batch `forward` takes. */
  constructor(
    variables: readonly tfType.Variable[],
    readonly layout: HostPolicyNetwork,
    readonly maxRows = Infinity,
  ) {
    this.weights = new HostWeights(variables);
  }

  /** Fresh rows × outputs, and the flat values of all the variables they were computed from (a view, see current). */
  forward(x: Float32Array, rows: number): { outputs: Float32Array; params: Float32Array } {
    if (rows > this.maxRows) throw new RangeError(`${rows} rows exceed maxRows ${this.maxRows}`);
    const params = this.weights.current();
    if (this.network === null || this.network.maxRows < rows) {
      // Grown in powers of two, so that a sampler's few batch sizes allocate once.
      const capacity = 2 ** Math.ceil(Math.log2(Math.max(rows, 1)));
      const { sizes, activation } = this.layout;
      this.network = simdKernelsSupported()
        ? new SimdMlpForward(sizes, activation, capacity)
        : new HostMlp(sizes, activation, capacity);
    }
    return { outputs: this.network.forward(params, x, rows, this.weights.version).slice(), params };
  }
}
