/**
 * ALE/<Game>-v5: the Atari 2600 games of ale-py on our own emulator (@vinegym/ale's AleEnv), with ale-py's kwargs
 * and optional server-side preprocessing, so a client can receive the paper's 4 x 52 x 40 input (grayscale,
 * downsample 4, frame_stack 4 -> [52, 40, 4] uint8) instead of raw 210 x 160 x 3 frames.
 *
 * The ids are always registered; ROMs are read from the installed ale-py (never shipped), and `make` fails with
 * ENV_ERROR naming `pnpm test:setup` when they cannot be found.
 */
import { ALE_V5_ROM_NAMES, AleEnv, ByteReader, ByteWriter, FramePreprocessor, gymGameName, type ObsType } from '@vinegym/ale';
import { VinegymError, box, discrete, ndarray } from '@vinegym/protocol';
import type { KwargSpec, NDArray, Space, TypedArray } from '@vinegym/protocol';
import type { Env, EnvDefinition, EnvKwargs, ResetOutput, StepOutcome, StepOutput } from '../env.js';

const STATE_MAGIC = 'vinegym-atari-env-1';

export const ATARI_KWARGS: Record<string, KwargSpec> = {
  obs_type: { type: 'string', default: 'rgb', enum: ['rgb', 'grayscale', 'ram'], description: 'rgb [210,160,3], grayscale [210,160] or ram [128] (ale-py)' },
  frameskip: { type: 'integer', default: 4, minimum: 1, maximum: 100, description: 'emulated frames per step, rewards summed (ale-py)' },
  repeat_action_probability: { type: 'number', default: 0.25, minimum: 0, maximum: 1, description: 'sticky actions: per frame, probability of repeating the previous action (ale-py)' },
  full_action_space: { type: 'boolean', default: false, description: 'all 18 actions instead of the minimal set (ale-py)' },
  max_num_frames_per_episode: { type: 'integer', default: 108000, minimum: 0, maximum: 10_000_000, description: 'truncate after this many frames; 0 = never (ale-py)' },
  mode: { type: 'integer', default: null, minimum: 0, maximum: 255, description: "game mode; only the game's default mode is supported (null)" },
  difficulty: { type: 'integer', default: 0, minimum: 0, maximum: 3, description: 'difficulty switches: bit 0 left A, bit 1 right A (ALE)' },
  downsample: { type: 'integer', default: 1, minimum: 1, maximum: 16, description: 'server-side: average blocks of n x n pixels (210x160 / 4 -> 52x40)' },
  resize_height: { type: 'integer', default: null, minimum: 1, maximum: 250, description: 'server-side: resize to this height by area averaging (with resize_width)' },
  resize_width: { type: 'integer', default: null, minimum: 1, maximum: 160, description: 'server-side: resize to this width by area averaging (with resize_height)' },
  max_pool: { type: 'boolean', default: false, description: 'server-side: pixel-wise max of the last two emulated frames' },
  frame_stack: { type: 'integer', default: 1, minimum: 1, maximum: 16, description: 'server-side: stack the last k frames; observation [h, w, k] (grayscale) or [h, w, 3k] (rgb)' },
};

/** Screen buffer size for the penultimate frame (up to 250 PAL lines). */
const SCREEN_BYTES = 160 * 250;

export class AtariEnv implements Env {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  private readonly ale: AleEnv;
  private readonly preprocessor: FramePreprocessor | null;
  /** The frame before the last of a step, kept only when max-pooling (copying it costs every step). */
  private readonly penultimate = new Uint8Array(SCREEN_BYTES);
  private readonly maxPool: boolean;
  private readonly observationSize: number;

  constructor(romName: string, kwargs: EnvKwargs) {
    const obsType = kwargs.obs_type as ObsType;
    const preprocessing =
      kwargs.downsample !== 1 || kwargs.resize_height !== null || kwargs.resize_width !== null || kwargs.max_pool === true || kwargs.frame_stack !== 1;
    if (preprocessing && obsType === 'ram') throw invalid('obs_type', 'preprocessing kwargs need obs_type rgb or grayscale');
    if ((kwargs.resize_height === null) !== (kwargs.resize_width === null)) {
      throw invalid('resize_height', 'resize_height and resize_width go together');
    }
    if (kwargs.resize_height !== null && kwargs.downsample !== 1) throw invalid('downsample', 'use either downsample or resize_height/resize_width');
    this.ale = createAleEnv(romName, obsType, kwargs);
    if (kwargs.mode !== null && kwargs.mode !== (this.ale.game.defaultMode ?? 0)) {
      throw invalid('mode', `mode ${String(kwargs.mode)} is not supported; only the default mode (null) is`);
    }
    this.actionSpace = discrete(this.ale.actionSpace.n);
    this.maxPool = kwargs.max_pool === true;
    this.preprocessor = preprocessing
      ? new FramePreprocessor({
          channels: obsType === 'grayscale' ? 1 : 3,
          height: this.ale.ale.machine.screenHeight,
          downsample: kwargs.downsample as number,
          resize: kwargs.resize_height === null ? null : [kwargs.resize_height as number, kwargs.resize_width as number],
          maxPool: kwargs.max_pool as boolean,
          frameStack: kwargs.frame_stack as number,
        })
      : null;
    const shape = this.preprocessor ? this.preprocessor.shape : this.ale.observationSpace.shape;
    this.observationSpace = box(0, 255, shape, 'uint8');
    this.observationSize = shape.reduce((a, b) => a * b, 1);
  }

  reset(seed?: number): ResetOutput {
    const out = this.ale.reset(seed);
    const observation = this.preprocessor
      ? this.wrap(this.preprocessor.reset(this.machine.screen(), this.machine.palette))
      : this.wrap(out.observation.data);
    return { observation, info: { ...out.info } };
  }

  step(action: unknown): StepOutput {
    const data = new Uint8Array(this.observationSize);
    const outcome = this.stepInto(action, data);
    return { observation: this.wrap(data), ...outcome };
  }

  /** The step with the observation written into `out` (a session's batch row): no frame arrays per step. */
  stepInto(action: unknown, out: TypedArray): StepOutcome {
    const reward = this.ale.act(Number(action), this.maxPool ? this.penultimate : undefined);
    const target = out as Uint8Array;
    if (this.preprocessor) this.preprocessor.push(this.machine.screen(), this.maxPool ? this.penultimate : null, this.machine.palette, target);
    else this.ale.observeInto(target);
    return { reward, terminated: this.ale.terminated, truncated: this.ale.truncated, info: this.ale.info() };
  }

  render(): NDArray<'uint8'> {
    const frame = this.ale.render();
    return ndarray('uint8', frame.shape, frame.data);
  }

  /** Emulator (machine, ALE and RNG state) plus the preprocessing buffers. */
  getState(): Uint8Array {
    const w = new ByteWriter();
    w.string(STATE_MAGIC);
    w.bytes(this.ale.getState());
    w.bool(this.preprocessor !== null);
    if (this.preprocessor) {
      w.bytes(this.preprocessor.saveState());
      w.bytes(this.penultimate);
    }
    return w.finish();
  }

  setState(state: Uint8Array): void {
    const r = new ByteReader(state);
    if (r.string() !== STATE_MAGIC) throw new Error('not an Atari env state');
    this.ale.setState(r.bytes());
    if (r.bool() !== (this.preprocessor !== null)) throw new Error('state from an env with other preprocessing');
    if (this.preprocessor) {
      this.preprocessor.loadState(r.bytes());
      r.into(this.penultimate);
    }
  }

  private get machine() {
    return this.ale.ale.machine;
  }

  private wrap(data: Uint8Array): NDArray<'uint8'> {
    return ndarray('uint8', (this.observationSpace as { shape: number[] }).shape, data);
  }
}

function invalid(key: string, message: string): VinegymError {
  return new VinegymError('INVALID_KWARGS', message, { key });
}

function createAleEnv(romName: string, obsType: ObsType, kwargs: EnvKwargs): AleEnv {
  try {
    return new AleEnv({
      game: romName,
      obsType,
      frameskip: kwargs.frameskip as number,
      repeatActionProbability: kwargs.repeat_action_probability as number,
      fullActionSpace: kwargs.full_action_space as boolean,
      maxNumFramesPerEpisode: kwargs.max_num_frames_per_episode as number,
      difficulty: kwargs.difficulty as number,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/ale-py not found|ROM .* not found/.test(message)) {
      throw new VinegymError(
        'ENV_ERROR',
        `ALE ROM '${romName}' is not available: ${message}. Install ale-py (which ships the ROMs) with \`pnpm test:setup\`, or point $ALE_PY_ROMS at a directory of <name>.bin ROMs`,
        { rom: romName },
      );
    }
    throw error;
  }
}

/** The env definition of one ale-py ROM (e.g. "space_invaders" -> ALE/SpaceInvaders-v5). */
export function atariDefinition(romName: string): EnvDefinition {
  const game = gymGameName(romName);
  return {
    id: `ALE/${game}-v5`,
    description: `Atari 2600 ${game} (ale-py ROM ${romName}) on vinegym's own emulator, ALE v5 semantics`,
    kwargs: ATARI_KWARGS,
    maxEpisodeSteps: null,
    create: (kwargs) => new AtariEnv(romName, kwargs),
    parallel: true,
    prepare: (kwargs) => ({ kwargs, bytesPerEnv: atariBytesPerEnv(kwargs) }),
  };
}

/** The largest frame an env holds: 250 PAL lines × 160 × RGB. */
const LARGEST_FRAME_BYTES = 250 * 160 * 3;

/**
 * Estimated bytes of one env, for the server's session memory budget: 1 MiB for the emulator, ROM and screens,
 * plus three copies of the largest frame per stacked frame. Measured (RSS over 100 Pong envs): ~0.9 MB with the
 * default kwargs, ~4.3 MB with frame_stack 16 in rgb; the estimate is 1.3 and 6.5 MiB.
 */
export function atariBytesPerEnv(kwargs: EnvKwargs): number {
  return 1024 * 1024 + 3 * LARGEST_FRAME_BYTES * (kwargs.frame_stack as number);
}

/** ALE/<Game>-v5 for every single-player game of ale-py 0.12.1. */
export const ATARI_ENVS: readonly EnvDefinition[] = ALE_V5_ROM_NAMES.map(atariDefinition);
