/**
 * Gymnasium's ClipAction and RescaleAction for Box action spaces (float32 or float64), with Gymnasium's
 * arithmetic in the space's dtype, so the env receives the same numbers as behind Gymnasium's wrappers.
 *
 * - ClipAction: the action space becomes Box(-inf, inf) of the same shape and dtype; actions are clipped to the
 *   inner env's bounds (np.clip).
 * - RescaleAction(min, max): the action space becomes Box(min, max); an action a reaches the env as
 *   (a - intercept) / gradient with gradient = (max - min) / (high - low) and intercept = gradient·(-low) + min
 *   (gymnasium.wrappers.utils.rescale_box, its backward map). Not clipped, as in Gymnasium.
 */
import { VinegymError, box, ndarray } from '@vinegym/protocol';
import type { BoxSpace, NDArray, SpaceValue } from '@vinegym/protocol';
import type { Env } from '../env.js';
import { ActionWrapper } from './wrapper.js';

type FloatArray = Float32Array | Float64Array;

/** The env's Box action space with a float dtype, or INVALID_KWARGS naming `key`. */
function floatBox(env: Env, key: string, wrapper: string): BoxSpace & { dtype: 'float32' | 'float64' } {
  const space = env.actionSpace;
  if (space.type !== 'box' || (space.dtype !== 'float32' && space.dtype !== 'float64')) {
    const what = space.type === 'box' ? `a ${space.dtype} Box` : `a ${space.type} space`;
    throw new VinegymError('INVALID_KWARGS', `${key}: ${wrapper} needs a float Box action space, the env has ${what}`, {
      key,
    });
  }
  return space as BoxSpace & { dtype: 'float32' | 'float64' };
}

function roundingFor(dtype: 'float32' | 'float64'): (x: number) => number {
  return dtype === 'float32' ? Math.fround : (x) => x;
}

export class ClipAction extends ActionWrapper {
  private readonly inner: BoxSpace & { dtype: 'float32' | 'float64' };

  constructor(env: Env) {
    super(env);
    this.inner = floatBox(env, 'clip_action', 'ClipAction');
    this.actionSpace = box(-Infinity, Infinity, this.inner.shape, this.inner.dtype);
  }

  protected action(action: SpaceValue): SpaceValue {
    const values = (action as NDArray).data as FloatArray;
    const low = this.inner.low.data as FloatArray;
    const high = this.inner.high.data as FloatArray;
    const out = this.inner.dtype === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = Math.min(high[i], Math.max(low[i], values[i]));
    return ndarray(this.inner.dtype, this.inner.shape, out);
  }
}

export class RescaleAction extends ActionWrapper {
  private readonly dtype: 'float32' | 'float64';
  private readonly shape: number[];
  private readonly gradient: FloatArray;
  private readonly intercept: FloatArray;

  constructor(env: Env, minAction: number, maxAction: number) {
    super(env);
    const inner = floatBox(env, 'rescale_action_min', 'RescaleAction');
    if (!(Number.isFinite(minAction) && Number.isFinite(maxAction) && minAction < maxAction)) {
      throw new VinegymError(
        'INVALID_KWARGS',
        `rescale_action_min (${minAction}) must be below rescale_action_max (${maxAction}), both finite`,
        {
          key: 'rescale_action_min',
        },
      );
    }
    const low = inner.low.data as FloatArray;
    const high = inner.high.data as FloatArray;
    for (let i = 0; i < low.length; i++) {
      if (!Number.isFinite(low[i]) || !Number.isFinite(high[i])) {
        throw new VinegymError(
          'INVALID_KWARGS',
          `rescale_action_min: RescaleAction needs finite action bounds, the env's are [${low[i]}, ${high[i]}] at ${i}`,
          {
            key: 'rescale_action_min',
          },
        );
      }
    }
    const round = roundingFor(inner.dtype);
    this.dtype = inner.dtype;
    this.shape = inner.shape;
    this.gradient = inner.dtype === 'float32' ? new Float32Array(low.length) : new Float64Array(low.length);
    this.intercept = inner.dtype === 'float32' ? new Float32Array(low.length) : new Float64Array(low.length);
    for (let i = 0; i < low.length; i++) {
      this.gradient[i] = (maxAction - minAction) / (high[i] - low[i]);
      // Gymnasium: gradient (dtype) * -low (dtype) in the dtype, + min in float64, stored in the dtype.
      this.intercept[i] = round(this.gradient[i] * -low[i]) + minAction;
    }
    this.actionSpace = box(minAction, maxAction, inner.shape, inner.dtype);
  }

  protected action(action: SpaceValue): SpaceValue {
    const values = (action as NDArray).data as FloatArray;
    const round = roundingFor(this.dtype);
    const out = this.dtype === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = round(values[i] - this.intercept[i]) / this.gradient[i];
    return ndarray(this.dtype, this.shape, out);
  }
}
