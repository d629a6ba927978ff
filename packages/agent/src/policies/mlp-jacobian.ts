/**
 * Products with the Jacobian J of an `Mlp`'s outputs with respect to its parameters, on a fixed batch, as tensor
 * ops: J v (forward mode) and Jᵀ w (backpropagation), for the many Fisher-vector products of one conjugate-gradient
 * solve (algos/trpo/fisher.ts). Everything that does not depend on v or w is computed once per batch:
 *
 *   forward    a₀ = x,  z_l = a_l W_l + b_l,  a_{l+1} = act(z_l) (hidden layers),  y = z_L
 *   P_l        = ∂y/∂z_l per row, [rows, outputs, width of z_l]:  P_L = I,  P_l = (P_{l+1} W_{l+1}ᵀ) ⊙ act′(z_l)
 *   J v        y′ = Σ_l P_l (a_l dW_l + db_l)
 *   Jᵀ w       δ_l = P_lᵀ w,  ∂/∂W_l = a_lᵀ δ_l,  ∂/∂b_l = Σ_rows δ_l
 *
 * Each product then costs one matrix product per layer (a_l dW_l, or a_lᵀ δ_l) and a contraction with P_l over the
 * few outputs, instead of a forward pass, its tangent and a backward pass through a tape.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import type { Mlp } from './layers.js';

export class MlpJacobian {
  /** The network's outputs on the batch. */
  readonly outputs: tfType.Tensor2D;
  /** Each layer's input a_l, [rows, inputs]. */
  private readonly inputs: tfType.Tensor2D[];
  /** P_l for the hidden layers, [rows, outputs, width]; the output layer's is the identity. */
  private readonly jacobians: tfType.Tensor3D[];

  constructor(
    private readonly tf: Tf,
    private readonly mlp: Mlp,
    x: tfType.Tensor2D,
  ) {
    const last = mlp.layers.length - 1;
    const state = tf.tidy(() => {
      const inputs: tfType.Tensor2D[] = [x.clone()];
      const slopes: tfType.Tensor2D[] = [];
      let h = x;
      mlp.layers.forEach((layer, l) => {
        const z = layer.apply(tf, h);
        if (l === last) {
          h = z;
          return;
        }
        h = (mlp.activation === 'tanh' ? tf.tanh(z) : tf.relu(z)) as tfType.Tensor2D;
        slopes.push((mlp.activation === 'tanh' ? tf.sub(1, tf.square(h)) : tf.step(z)) as tfType.Tensor2D);
        inputs.push(h);
      });
      const rows = x.shape[0];
      const outputSize = h.shape[1];
      const jacobians: tfType.Tensor3D[] = new Array<tfType.Tensor3D>(last);
      for (let l = last - 1; l >= 0; l--) {
        const slope = tf.expandDims(slopes[l], 1);
        const next = mlp.layers[l + 1].weight; // [width of z_l, width of z_{l+1}]
        // P_{L−1}[r, k, j] = W_L[j, k] · act′; below, P_{l+1} W_{l+1}ᵀ as one product over all rows.
        const back =
          l === last - 1
            ? tf.transpose(next)
            : tf.reshape(tf.matMul(tf.reshape(jacobians[l + 1], [rows * outputSize, -1]), next, false, true), [
                rows,
                outputSize,
                -1,
              ]);
        jacobians[l] = tf.mul(back, slope) as tfType.Tensor3D;
      }
      return { outputs: h, inputs, jacobians };
    });
    this.outputs = state.outputs;
    this.inputs = state.inputs;
    this.jacobians = state.jacobians;
  }

  /** J v: the outputs' directional derivative [rows, outputs] along `tangents` (one per variable, in order). */
  jacobianProduct(tangents: tfType.Tensor[]): tfType.Tensor2D {
    const tf = this.tf;
    return tf.tidy(() => {
      const parts = this.mlp.layers.map((_, l) => {
        const u = tf.add(tf.matMul(this.inputs[l], tangents[2 * l] as tfType.Tensor2D), tangents[2 * l + 1]);
        return l < this.jacobians.length ? tf.sum(tf.mul(this.jacobians[l], tf.expandDims(u, 1)), 2) : u;
      });
      return tf.addN(parts) as tfType.Tensor2D;
    });
  }

  /** Jᵀ w: the gradients of Σ_rows w · outputs, one per variable, in `Mlp.variables` order. */
  transposeProduct(w: tfType.Tensor2D): tfType.Tensor[] {
    const tf = this.tf;
    return tf.tidy(() =>
      this.mlp.layers.flatMap((_, l) => {
        const delta = l < this.jacobians.length ? tf.sum(tf.mul(this.jacobians[l], tf.expandDims(w, 2)), 1) : w;
        return [tf.matMul(this.inputs[l], delta, true, false), tf.sum(delta, 0)];
      }),
    );
  }

  dispose(): void {
    this.tf.dispose([this.outputs, ...this.inputs, ...this.jacobians]);
  }
}
