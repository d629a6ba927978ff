/**
 * ALE/<Game>-v5: the Atari 2600 games of ale-py on our own emulator (@vinegym/ale's AleEnv), with ale-py's kwargs
 * and optional server-side preprocessing by wrappers (AtariPreprocessing, FrameStackObservation), so a client can
 * receive the paper's 4 x 52 x 40 input (grayscale, downsample 4, frame_stack 4 -> [52, 40, 4] uint8) instead of
 * raw 210 x 160 x 3 frames.
 *
 * The ids are always registered; ROMs are read from the installed ale-py (never shipped), and `make` fails with
 * ENV_ERROR naming `pnpm test:setup` when they cannot be found.
 */
import { ALE_V5_ROM_NAMES, AleEnv, ByteReader, ByteWriter, gymGameName, type ObsType } from '@vinegym/ale';
import { VinegymError, box, discrete, ndarray } from '@vinegym/protocol';
import type { KwargSpec, NDArray, Space, TypedArray } from '@vinegym/protocol';
import type { Env, EnvDefinition, EnvKwargs, ResetOutput, StepOutcome, StepOutput } from '../env.js';
import { formatVersionError } from '../snapshot.js';
import { AtariPreprocessing, atariPreprocessingOptions } from '../wrappers/atari-preprocessing.js';

/**
 * The first field of an Atari env's state bytes. Bump the version whenever the bytes change (the ALE's own included):
 * a snapshot of another version is then refused before any of it is applied.
 */
const STATE_FORMAT_VERSION = 2;
const STATE_MAGIC_PREFIX = 'vinegym-atari-env-';
const STATE_MAGIC = `${STATE_MAGIC_PREFIX}${STATE_FORMAT_VERSION}`;

export const ATARI_KWARGS: Record<string, KwargSpec> = {
  obs_type: {
    type: 'string',
    default: 'rgb',
    enum: ['rgb', 'grayscale', 'ram'],
    description: 'rgb [210,160,3], grayscale [210,160] or ram [128] (ale-py)',
  },
  frameskip: {
    type: 'integer',
    default: 4,
    minimum: 1,
    maximum: 100,
    description: 'emulated frames per step, rewards summed (ale-py)',
  },
  repeat_action_probability: {
    type: 'number',
    default: 0.25,
    minimum: 0,
    maximum: 1,
    description: 'sticky actions: per frame, probability of repeating the previous action (ale-py)',
  },
  full_action_space: {
    type: 'boolean',
    default: false,
    description: 'all 18 actions instead of the minimal set (ale-py)',
  },
  max_num_frames_per_episode: {
    type: 'integer',
    default: 108000,
    minimum: 0,
    maximum: 10_000_000,
    description: 'truncate after this many frames; 0 = never (ale-py)',
  },
  mode: {
    type: 'integer',
    default: null,
    minimum: 0,
    maximum: 255,
    description: "game mode; only the game's default mode is supported (null)",
  },
  difficulty: {
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: 3,
    description: 'difficulty switches: bit 0 left A, bit 1 right A (ALE)',
  },
  downsample: {
    type: 'integer',
    default: 1,
    minimum: 1,
    maximum: 16,
    description: 'server-side: average blocks of n x n pixels (210x160 / 4 -> 52x40)',
  },
  resize_height: {
    type: 'integer',
    default: null,
    minimum: 1,
    maximum: 250,
    description: 'server-side: resize to this height by area averaging (with resize_width)',
  },
  resize_width: {
    type: 'integer',
    default: null,
    minimum: 1,
    maximum: 160,
    description: 'server-side: resize to this width by area averaging (with resize_height)',
  },
  max_pool: {
    type: 'boolean',
    default: false,
    description: 'server-side: pixel-wise max of the last two emulated frames',
  },
  compile_blocks: {
    type: 'boolean',
    default: true,
    description:
      "emulator: run the game's hot code as compiled 6502 blocks (same frames, faster once compiled; false: the interpreter)",
  },
};

export class AtariEnv implements Env {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly obsType: ObsType;
  private readonly ale: AleEnv;
  private readonly observationSize: number;

  constructor(romName: string, kwargs: EnvKwargs) {
    this.obsType = kwargs.obs_type as ObsType;
    this.ale = createAleEnv(romName, this.obsType, kwargs);
    if (kwargs.mode !== null && kwargs.mode !== (this.ale.game.defaultMode ?? 0)) {
      throw invalid('mode', `mode ${String(kwargs.mode)} is not supported; only the default mode (null) is`);
    }
    this.actionSpace = discrete(this.ale.actionSpace.n);
    this.observationSpace = box(0, 255, this.ale.observationSpace.shape, 'uint8');
    this.observationSize = this.ale.observationSpace.shape.reduce((a, b) => a * b, 1);
  }

  reset(seed?: number, _options?: Record<string, unknown>): ResetOutput {
    const out = this.ale.reset(seed);
    return { observation: this.wrap(out.observation.data), info: { ...out.info } };
  }

  step(action: unknown): StepOutput {
    const data = new Uint8Array(this.observationSize);
    const outcome = this.stepInto(action, data);
    return { observation: this.wrap(data), ...outcome };
  }

  /** The step with the observation written into `out` (a session's batch row): no frame arrays per step. */
  stepInto(action: unknown, out: TypedArray): StepOutcome {
    const outcome = this.act(action);
    this.ale.observeInto(out as Uint8Array);
    return outcome;
  }

  /**
   * The step without an observation, for AtariPreprocessing, which reads the screen itself. `penultimateScreen`,
   * if given, receives the screen before the step's last emulated frame (for max-pooling).
   */
  act(action: unknown, penultimateScreen?: Uint8Array): StepOutcome {
    const reward = this.ale.act(Number(action), penultimateScreen);
    return { reward, terminated: this.ale.terminated, truncated: this.ale.truncated, info: this.ale.info() };
  }

  render(): NDArray<'uint8'> {
    const frame = this.ale.render();
    return ndarray('uint8', frame.shape, frame.data);
  }

  /** Emulator, ALE and RNG state. */
  getState(): Uint8Array {
    const w = new ByteWriter();
    w.string(STATE_MAGIC);
    w.bytes(this.ale.getState());
    return w.finish();
  }

  setState(state: Uint8Array): void {
    const r = new ByteReader(state);
    const magic = readMagic(r);
    if (magic !== STATE_MAGIC) {
      if (magic?.startsWith(STATE_MAGIC_PREFIX)) {
        throw formatVersionError('Atari env state', magic.slice(STATE_MAGIC_PREFIX.length), STATE_FORMAT_VERSION);
      }
      throw new VinegymError('BAD_REQUEST', 'not an Atari env state');
    }
    this.ale.setState(r.bytes());
  }

  /** The emulated machine: its screen (palette indices) and palette, which AtariPreprocessing reads. */
  get machine() {
    return this.ale.ale.machine;
  }

  private wrap(data: Uint8Array): NDArray<'uint8'> {
    return ndarray('uint8', (this.observationSpace as { shape: number[] }).shape, data);
  }
}

/** The leading string of state bytes, or null when they do not start with one. */
function readMagic(r: ByteReader): string | null {
  try {
    return r.string();
  } catch {
    return null;
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
      compileBlocks: kwargs.compile_blocks as boolean,
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
    wrap: (env, kwargs) => {
      const options = atariPreprocessingOptions(kwargs);
      return options === null ? env : new AtariPreprocessing(env as AtariEnv, options);
    },
    // frame_stack keeps images channels-last: [h, w, k] (grayscale) or [h, w, 3k] (rgb).
    frameStackAxis: 'last',
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
