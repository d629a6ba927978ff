/**
 * Gymnasium's FrameStackObservation with padding_type "reset" (its default): the observation is the last
 * `stackSize` observations, oldest first; a reset fills every slot with the reset's observation.
 *
 * Box observation spaces only. Axis `first` is Gymnasium's layout, a new leading axis: [k, ...shape]. Axis `last`
 * keeps images channels-last, as the CNN policy and the ALE envs' frame_stack have always had them: [h, w] frames
 * become [h, w, k] and [h, w, c] frames [h, w, k·c] (frame-major inside the last axis), which equals
 * np.concatenate of the frames along a new (or the existing) last axis.
 *
 * A step writes the new frame straight into its ring slot (through the inner env's stepInto where it has one,
 * e.g. AtariPreprocessing) and the stack straight into the caller's array (stepInto, e.g. a batch row).
 */
import { VinegymError, batchSpace, box, ndarray, typedArrayFor } from '@vinegym/protocol';
import type { BoxSpace, NDArray, Space, SpaceValue, TypedArray } from '@vinegym/protocol';
import type { Env, ResetOutput, StepOutcome, StepOutput } from '../env.js';
import { canStepInto, Wrapper } from './wrapper.js';

export type FrameStackAxis = 'first' | 'last';

export class FrameStackObservation extends Wrapper {
  private readonly inner: BoxSpace;
  private readonly frameSize: number;
  /** Ring of the last k frames' data; `oldest` is the slot of the oldest. */
  private readonly frames: TypedArray[];
  private oldest = 0;
  private readonly stackedShape: number[];
  /** Frame elements that stay together in the last axis (channels of an image; 1 otherwise). */
  private readonly channels: number;
  /** Whether the inner env writes frames into a ring slot itself (Env.stepInto). */
  private readonly innerStepsInto: boolean;

  constructor(
    env: Env,
    readonly stackSize: number,
    readonly axis: FrameStackAxis = 'first',
  ) {
    super(env);
    const space = env.observationSpace;
    if (space.type !== 'box') {
      throw new VinegymError(
        'INVALID_KWARGS',
        `frame_stack needs a Box observation space, the env has a ${space.type} space`,
        { key: 'frame_stack' },
      );
    }
    if (!Number.isSafeInteger(stackSize) || stackSize < 1)
      throw new RangeError(`frame_stack must be a positive integer, got ${stackSize}`);
    if (axis === 'last' && (space.shape.length < 2 || space.shape.length > 3)) {
      throw new VinegymError(
        'INVALID_KWARGS',
        `frame_stack on the last axis needs [h, w] or [h, w, c] observations, got ${JSON.stringify(space.shape)}`,
        {
          key: 'frame_stack',
        },
      );
    }
    this.inner = space;
    this.frameSize = space.low.data.length;
    this.frames = Array.from({ length: stackSize }, () => typedArrayFor(space.dtype, this.frameSize));
    this.channels = space.shape.length === 3 ? space.shape[2] : 1;
    this.observationSpace = axis === 'first' ? batchSpace(space, stackSize) : this.lastAxisSpace(space);
    this.stackedShape = (this.observationSpace as BoxSpace).shape;
    this.innerStepsInto = canStepInto(env);
  }

  override reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    const out = this.env.reset(seed, options);
    const data = (out.observation as NDArray).data;
    for (const frame of this.frames) frame.set(data as never);
    this.oldest = 0;
    return { observation: this.stacked(), info: out.info };
  }

  override step(action: SpaceValue): StepOutput {
    const data = typedArrayFor(this.inner.dtype, this.frameSize * this.stackSize);
    const outcome = this.stepInto(action, data);
    return { observation: ndarray(this.inner.dtype, this.stackedShape, data), ...outcome };
  }

  override stepInto(action: SpaceValue, out: TypedArray): StepOutcome {
    const slot = this.frames[this.oldest];
    let outcome: StepOutcome;
    if (this.innerStepsInto) {
      outcome = this.env.stepInto!(action, slot);
    } else {
      const step = this.env.step(action);
      slot.set((step.observation as NDArray).data as never);
      outcome = step;
    }
    this.oldest = (this.oldest + 1) % this.stackSize;
    this.stackInto(out);
    return outcome;
  }

  override get stepIntoSupported(): boolean {
    return true;
  }

  protected override get hasState(): boolean {
    return true;
  }

  protected override ownState(): Uint8Array {
    const bytes = this.frames[0].byteLength;
    const out = new Uint8Array(4 + bytes * this.stackSize);
    new DataView(out.buffer).setUint32(0, this.oldest, true);
    this.frames.forEach((frame, k) => out.set(new Uint8Array(frame.buffer, frame.byteOffset, bytes), 4 + k * bytes));
    return out;
  }

  protected override loadOwnState(state: Uint8Array): void {
    const bytes = this.frames[0].byteLength;
    if (state.byteLength !== 4 + bytes * this.stackSize) throw new Error('FrameStackObservation: wrong state size');
    const oldest = new DataView(state.buffer, state.byteOffset, state.byteLength).getUint32(0, true);
    if (oldest >= this.stackSize) throw new Error('FrameStackObservation: bad state');
    this.oldest = oldest;
    this.frames.forEach((frame, k) =>
      new Uint8Array(frame.buffer, frame.byteOffset, bytes).set(state.subarray(4 + k * bytes, 4 + (k + 1) * bytes)),
    );
  }

  /** The stacked observation, oldest frame first, in a fresh array. */
  private stacked(): NDArray {
    const out = typedArrayFor(this.inner.dtype, this.frameSize * this.stackSize);
    this.stackInto(out);
    return ndarray(this.inner.dtype, this.stackedShape, out);
  }

  /** The stacked observation, oldest frame first, into `out`. */
  private stackInto(out: TypedArray): void {
    const k = this.stackSize;
    if (this.axis === 'first') {
      for (let s = 0; s < k; s++) out.set(this.frames[(this.oldest + s) % k] as never, s * this.frameSize);
    } else {
      interleave(this.frames, this.oldest, this.channels, out);
    }
  }

  private lastAxisSpace(space: BoxSpace): Space {
    const [h, w] = space.shape;
    const shape = [h, w, this.channels * this.stackSize];
    const bound = (array: NDArray): number[] => {
      const stacked = typedArrayFor(space.dtype, this.frameSize * this.stackSize);
      const copies = Array.from({ length: this.stackSize }, () => array.data as TypedArray);
      interleave(copies, 0, this.channels, stacked);
      return Array.from(stacked as ArrayLike<number>, Number);
    };
    return box(bound(space.low), bound(space.high), shape, space.dtype);
  }
}

/** frames (ring from `oldest`) of p pixels x c channels into out[(p·k + s)·c + ch]. */
function interleave(frames: TypedArray[], oldest: number, channels: number, out: TypedArray): void {
  const k = frames.length;
  const pixels = frames[0].length / channels;
  const o = out as unknown as number[];
  for (let s = 0; s < k; s++) {
    const frame = frames[(oldest + s) % k] as ArrayLike<number>;
    if (channels === 1) {
      // Grayscale, the paper's input: one element per pixel, so no inner loop.
      for (let p = 0; p < pixels; p++) o[p * k + s] = frame[p];
    } else {
      for (let p = 0; p < pixels; p++) {
        for (let ch = 0; ch < channels; ch++) o[(p * k + s) * channels + ch] = frame[p * channels + ch];
      }
    }
  }
}
