/**
 * AtariPreprocessing for the ALE envs: the screen converted to grayscale or RGB, optionally max-pooled over the
 * last two emulated frames of a step, and downsampled by block averaging (`downsample`) or resized by area
 * averaging (`resize_height` x `resize_width`). Frame stacking is FrameStackObservation's job (frame-stack.ts).
 *
 * Like Gymnasium's AtariPreprocessing it reads the emulator's screen rather than the env's observation. Unlike
 * it, frame skipping and sticky actions stay in the env (ALE v5: frameskip 4, repeat_action_probability 0.25),
 * so the max-pool uses the penultimate frame of the env's own frame skip, and there are no no-op starts; the
 * kwargs are ours (downsample, resize_height, resize_width, max_pool), as they have been since before wrappers.
 * The per-frame math is @vinegym/ale's FramePreprocessor.
 */
import { FramePreprocessor } from '@vinegym/ale';
import { VinegymError, box, ndarray } from '@vinegym/protocol';
import type { NDArray, SpaceValue, TypedArray } from '@vinegym/protocol';
import type { EnvKwargs, ResetOutput, StepOutcome, StepOutput } from '../env.js';
import type { AtariEnv } from '../envs/atari.js';
import { Wrapper } from './wrapper.js';

/** Screen buffer size for the penultimate frame (up to 250 PAL lines). */
const SCREEN_BYTES = 160 * 250;

export interface AtariPreprocessingOptions {
  /** Block-average factor (1 = none); exclusive with `resize`. */
  downsample: number;
  /** Output [height, width] by area averaging, or null. */
  resize: [number, number] | null;
  /** Pixel-wise max of the last two emulated frames. */
  maxPool: boolean;
}

/** The preprocessing the kwargs of an ALE env ask for, or null for none; INVALID_KWARGS for bad combinations. */
export function atariPreprocessingOptions(kwargs: EnvKwargs): AtariPreprocessingOptions | null {
  const { downsample, resize_height: height, resize_width: width, max_pool: maxPool, obs_type: obsType } = kwargs;
  const wanted = downsample !== 1 || height !== null || width !== null || maxPool === true;
  if ((wanted || (kwargs.frame_stack ?? 1) !== 1) && obsType === 'ram') {
    throw invalid('obs_type', 'preprocessing kwargs need obs_type rgb or grayscale');
  }
  if ((height === null) !== (width === null))
    throw invalid('resize_height', 'resize_height and resize_width go together');
  if (height !== null && downsample !== 1)
    throw invalid('downsample', 'use either downsample or resize_height/resize_width');
  if (!wanted) return null;
  return {
    downsample: downsample as number,
    resize: height === null ? null : [height as number, width as number],
    maxPool: maxPool === true,
  };
}

export class AtariPreprocessing extends Wrapper {
  private readonly preprocessor: FramePreprocessor;
  private readonly penultimate: Uint8Array | undefined;
  private readonly shape: number[];
  private readonly size: number;

  constructor(
    private readonly atari: AtariEnv,
    options: AtariPreprocessingOptions,
  ) {
    super(atari);
    this.preprocessor = new FramePreprocessor({
      channels: atari.obsType === 'grayscale' ? 1 : 3,
      height: atari.machine.screenHeight,
      downsample: options.downsample,
      resize: options.resize,
      maxPool: options.maxPool,
      frameStack: 1,
    });
    this.penultimate = options.maxPool ? new Uint8Array(SCREEN_BYTES) : undefined;
    this.shape = this.preprocessor.shape;
    this.size = this.preprocessor.size;
    this.observationSpace = box(0, 255, this.shape, 'uint8');
  }

  override reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    const { info } = this.atari.reset(seed, options);
    const { machine } = this.atari;
    return {
      observation: this.frame(
        this.preprocessor.processInto(machine.screen(), null, machine.palette, new Uint8Array(this.size)),
      ),
      info,
    };
  }

  override step(action: SpaceValue): StepOutput {
    const data = new Uint8Array(this.size);
    const outcome = this.stepInto(action, data);
    return { observation: this.frame(data), ...outcome };
  }

  /** The step with the preprocessed frame written straight into `out` (a batch row or a frame-stack slot). */
  override stepInto(action: SpaceValue, out: TypedArray): StepOutcome {
    const outcome = this.atari.act(action, this.penultimate);
    const { machine } = this.atari;
    this.preprocessor.processInto(machine.screen(), this.penultimate ?? null, machine.palette, out as Uint8Array);
    return outcome;
  }

  override get stepIntoSupported(): boolean {
    return true;
  }

  private frame(data: Uint8Array): NDArray<'uint8'> {
    return ndarray('uint8', this.shape, data);
  }
}

function invalid(key: string, message: string): VinegymError {
  return new VinegymError('INVALID_KWARGS', message, { key });
}
