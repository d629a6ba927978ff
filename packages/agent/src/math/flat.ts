/**
 * The TRPO step lives in one flat parameter vector θ (paper notation): these helpers move between a list of
 * tf.Variables and that vector, in the order of the list.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { gradientsWrt } from './autodiff.js';

export function parameterCount(variables: tfType.Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

/** θ as a Float32Array copy. */
export function getFlatParams(variables: tfType.Variable[]): Float32Array {
  const flat = new Float32Array(parameterCount(variables));
  let offset = 0;
  for (const v of variables) {
    flat.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return flat;
}

/** Writes θ back into the variables. */
export function setFlatParams(tf: Tf, variables: tfType.Variable[], flat: ArrayLike<number>): void {
  if (flat.length !== parameterCount(variables)) {
    throw new RangeError(`flat parameter vector has length ${flat.length}, expected ${parameterCount(variables)}`);
  }
  let offset = 0;
  for (const v of variables) {
    const values = Float32Array.from({ length: v.size }, (_, i) => flat[offset + i]);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
    offset += v.size;
  }
}

/** Concatenates tensors (e.g. per-variable gradients) into one 1-D tensor. */
/** A flat vector as tensors shaped like `variables`, in their order. */
/** Assigns one array per variable (as `serialize` produced them), after checking that count and sizes match. */
export function loadWeights(tf: Tf, variables: tfType.Variable[], weights: Float32Array[]): void {
  if (weights.length !== variables.length)
    throw new RangeError(`expected ${variables.length} weight arrays, got ${weights.length}`);
  variables.forEach((v, i) => {
    if (weights[i].length !== v.size)
      throw new RangeError(`weight ${i} has ${weights[i].length} values, expected ${v.size}`);
    tf.tidy(() => v.assign(tf.tensor(weights[i], v.shape, 'float32')));
  });
}

export function unflatten(tf: Tf, flat: ArrayLike<number>, variables: tfType.Variable[]): tfType.Tensor[] {
  let offset = 0;
  return variables.map((v) => {
    const part = tf.tensor(
      Float32Array.from({ length: v.size }, (_, i) => flat[offset + i]),
      v.shape,
    );
    offset += v.size;
    return part;
  });
}

export function flattenTensors(tf: Tf, tensors: tfType.Tensor[]): tfType.Tensor1D {
  return tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))) as tfType.Tensor1D);
}

/** ∇θ f as a 1-D tensor; differentiable, so it may be differentiated again (Fisher-vector products). */
export function flatGradTensor(tf: Tf, f: () => tfType.Scalar, variables: tfType.Variable[]): tfType.Tensor1D {
  return tf.tidy(() => flattenTensors(tf, gradientsWrt(tf, f, variables)));
}

/** ∇θ f as a Float32Array. */
export function flatGrad(tf: Tf, f: () => tfType.Scalar, variables: tfType.Variable[]): Float32Array {
  return downloadTidy(tf, () => flatGradTensor(tf, f, variables));
}

/**
 * The values of the tensor `f` computes, with every intermediate freed. Downloading after the tidy, not inside
 * it: tidy walks its result, element by element for a typed array.
 */
export function downloadTidy(tf: Tf, f: () => tfType.Tensor): Float32Array {
  const tensor = tf.tidy(f);
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}
