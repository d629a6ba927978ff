/**
 * AleEnv: ALE/<Game>-v5 as a vinegym env (same shape as packages/env-server's Env; this package does not depend on
 * the server). Semantics follow ale-py's Gymnasium AtariEnv (src/ale/python/env.py):
 * - reset(seed): with a seed, the console is rebuilt (ale.loadROM) with ALE random_seed = the second word of
 *   NumPy's SeedSequence(seed).generate_state(2); then ALE's reset_game;
 * - step(a): `frameskip` calls of ALE act (frame_skip 1 inside ALE, sticky actions with
 *   repeat_action_probability per frame), reward summed; terminated = game over, truncated = frame limit;
 * - observations: rgb [210,160,3] / grayscale [210,160] / ram [128], uint8; info {lives, episode_frame_number,
 *   frame_number}.
 */
import { AleEmulator } from './emulator.js';
import { type GameInfo, gameFor } from './games/index.js';
import { loadRom, romNameForGame } from './roms.js';
import { seedSequenceState } from '@vinegym/rng';

export type ObsType = 'rgb' | 'grayscale' | 'ram';

export interface AleNDArray {
  dtype: 'uint8';
  shape: number[];
  data: Uint8Array;
}

export interface AleBoxSpace {
  type: 'box';
  dtype: 'uint8';
  shape: number[];
  low: AleNDArray;
  high: AleNDArray;
}

export interface AleDiscreteSpace {
  type: 'discrete';
  n: number;
  start: number;
}

export type AleInfo = Record<string, number>;

export interface AleEnvOptions {
  /** ale-py game name ("pong", "space_invaders") or Gymnasium id ("ALE/Pong-v5", "SpaceInvaders"). */
  game: string;
  obsType?: ObsType;
  frameskip?: number;
  repeatActionProbability?: number;
  fullActionSpace?: boolean;
  maxNumFramesPerEpisode?: number | null;
  /** ALE difficulty (switches: bit 0 left A, bit 1 right A); default 0. */
  difficulty?: number;
  /**
   * Run the cartridge's hot code as compiled blocks (src/cpu/blocks.ts; identical frames); default true. V8 spends
   * about 0.25-0.35 s of CPU optimizing a game's blocks once per process, repaid within a training run; false runs
   * the interpreter alone. See the package README ("Block compiler").
   */
  compileBlocks?: boolean;
  /** ROM bytes (default: from the installed ale-py). */
  rom?: Uint8Array;
  romDir?: string;
}

function box(shape: number[]): AleBoxSpace {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    type: 'box',
    dtype: 'uint8',
    shape,
    low: { dtype: 'uint8', shape, data: new Uint8Array(size) },
    high: { dtype: 'uint8', shape, data: new Uint8Array(size).fill(255) },
  };
}

export class AleEnv {
  readonly observationSpace: AleBoxSpace;
  readonly actionSpace: AleDiscreteSpace;
  readonly actionSet: readonly number[];
  readonly game: GameInfo;
  private emulator: AleEmulator;
  private readonly rom: Uint8Array;
  private readonly obsType: ObsType;
  private readonly frameskip: number;
  private readonly repeatActionProbability: number;
  private readonly maxFrames: number;
  private readonly difficulty: number;
  private readonly compileBlocks: boolean;

  constructor(options: AleEnvOptions) {
    const name = romNameForGame(options.game);
    this.rom = options.rom ?? loadRom(name, { romDir: options.romDir });
    this.game = gameFor(name);
    this.obsType = options.obsType ?? 'rgb';
    this.frameskip = options.frameskip ?? 4;
    this.repeatActionProbability = options.repeatActionProbability ?? 0.25;
    this.maxFrames = options.maxNumFramesPerEpisode ?? 108000;
    this.difficulty = options.difficulty ?? 0;
    this.compileBlocks = options.compileBlocks ?? true;
    this.emulator = this.load(seedSequenceState(BigInt(Math.floor(Math.random() * 2 ** 53)), 2)[1]!);
    this.actionSet = options.fullActionSpace ? Array.from({ length: 18 }, (_, i) => i) : this.game.minimalActions;
    this.actionSpace = { type: 'discrete', n: this.actionSet.length, start: 0 };
    const h = this.emulator.machine.screenHeight;
    this.observationSpace =
      this.obsType === 'ram' ? box([128]) : this.obsType === 'grayscale' ? box([h, 160]) : box([h, 160, 3]);
  }

  /** ale.loadROM: a fresh console and environment (which resets once). */
  private load(aleSeed: number): AleEmulator {
    return new AleEmulator(this.rom, this.game, {
      randomSeed: aleSeed >>> 0,
      frameSkip: 1,
      repeatActionProbability: this.repeatActionProbability,
      maxNumFramesPerEpisode: this.maxFrames,
      difficulty: this.difficulty,
      machine: { compileBlocks: this.compileBlocks },
    });
  }

  get ale(): AleEmulator {
    return this.emulator;
  }

  reset(seed?: number): { observation: AleNDArray; info: AleInfo } {
    if (seed !== undefined) this.emulator = this.load(seedSequenceState(BigInt(seed), 2)[1]!);
    this.emulator.reset();
    return { observation: this.observation(), info: this.info() };
  }

  /**
   * One env step: `frameskip` ALE frames with the agent's action. If `penultimateScreen` is given (and frameskip
   * >= 2), it receives the palette-index screen of the second-to-last frame (for max-pooling).
   */
  step(
    action: number,
    penultimateScreen?: Uint8Array,
  ): { observation: AleNDArray; reward: number; terminated: boolean; truncated: boolean; info: AleInfo } {
    const reward = this.act(action, penultimateScreen);
    return {
      observation: this.observation(),
      reward,
      terminated: this.terminated,
      truncated: this.truncated,
      info: this.info(),
    };
  }

  /**
   * `step` without the observation: the frames of one agent step, returns the summed reward. Only the frames an
   * observation reads are drawn (the last one, and the one before it for `penultimateScreen`; none for RAM
   * observations): the others' screens are never looked at, and are drawn later only if a screen read needs them.
   */
  act(action: number, penultimateScreen?: Uint8Array): number {
    const a = this.actionSet[action];
    if (a === undefined) throw new RangeError(`action ${action} outside Discrete(${this.actionSet.length})`);
    const last = this.frameskip - 1;
    let reward = 0;
    for (let i = 0; i < this.frameskip; i++) {
      if (penultimateScreen && i === last) penultimateScreen.set(this.emulator.machine.screen());
      const observed = i === last ? this.obsType !== 'ram' : penultimateScreen !== undefined && i === last - 1;
      reward += this.emulator.act(a, observed);
    }
    return reward;
  }

  get terminated(): boolean {
    return this.emulator.isGameTerminal();
  }

  get truncated(): boolean {
    return this.emulator.isTruncated();
  }

  observation(): AleNDArray {
    const shape = this.observationSpace.shape;
    return { dtype: 'uint8', shape, data: this.observeInto(new Uint8Array(shape.reduce((a, b) => a * b, 1))) };
  }

  /** The current observation written into `out` (of the observation's size), e.g. a row of a batch. */
  observeInto(out: Uint8Array): Uint8Array {
    const m = this.emulator.machine;
    if (this.obsType === 'ram') return m.ramInto(out);
    if (this.obsType === 'grayscale') return m.screenGrayscale(out);
    return m.screenRGB(out);
  }

  render(): AleNDArray {
    const m = this.emulator.machine;
    return { dtype: 'uint8', shape: [m.screenHeight, 160, 3], data: m.screenRGB() };
  }

  info(): AleInfo {
    return {
      lives: this.emulator.lives,
      episode_frame_number: this.emulator.episodeFrameNumber,
      frame_number: this.emulator.frameNumber,
    };
  }

  getState(): Uint8Array {
    return this.emulator.saveState(true);
  }

  setState(state: Uint8Array): void {
    this.emulator.loadState(state);
  }

  close(): void {}
}
