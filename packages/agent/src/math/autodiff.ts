/**
 * TensorFlow.js plumbing that the second-order code (Fisher-vector products) depends on.
 *
 * tfjs records the tensors a gradient needs by cloning them onto the tape. A clone of a kernel's *output* is
 * recorded before the kernel itself, so when a gradient is differentiated again (tf.grad of tf.grad), the
 * dependence through saved outputs is silently dropped: d²/dx² Σ tanh(x) comes out wrong without any error.
 * `enableSecondOrderGradients` re-registers the gradients of the output-saving ops we use (tanh, exp) in terms
 * of their saved *inputs*, which are tracked correctly. Mathematically identical; costs one extra op each.
 * Everything differentiated twice in this package therefore avoids other output-saving ops (softmax, sqrt,
 * sigmoid, max, pow, tf.logSoftmax) and conv2d (whose filter gradient has no gradient in tfjs).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';

const patched = new WeakSet<object>();

export function enableSecondOrderGradients(tf: Tf): void {
  if (patched.has(tf.engine())) return;
  patched.add(tf.engine());
  tf.registerGradient({
    kernelName: 'Tanh',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tfType.Tensor, tf.sub(1, tf.square(tf.tanh(saved[0])))) }),
  });
  tf.registerGradient({
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tfType.Tensor, tf.exp(saved[0])) }),
  });
}

/**
 * Identity whose gradient is zero: the value is treated as a constant by every tf.grad around it. The zero
 * gradient does not depend on the incoming gradient, so nothing upstream (e.g. the mask tf.max's gradient builds
 * from a non-differentiable `equal`) ends up on a path that a second differentiation has to traverse.
 */
export function stopGradient<T extends tfType.Tensor>(tf: Tf, x: T): T {
  return tf.customGrad((...args) => {
    const input = args[0] as tfType.Tensor;
    return { value: tf.clone(input), gradFunc: () => tf.zeros(input.shape) };
  })(x) as T;
}

/** Gradients of a scalar function of the variables, in variable order; every variable must be used. */
export function gradientsWrt(tf: Tf, f: () => tfType.Scalar, variables: tfType.Variable[]): tfType.Tensor[] {
  return tf.grads(() => f())(variables);
}
