/**
 * ALE's StellaEnvironment over our Machine (src/ale/environment/stella_environment.cpp, ale_state.cpp):
 * reset sequence, actions -> controller events (joysticks or paddles), sticky actions, frame skip, episode frame
 * limit, reward/terminal/lives from the game's RAM tracker.
 *
 * reset():  console reset; 60 NOOP frames; soft reset (RESET held 4 frames); game tracker reset; the game's
 *           setMode (games with modes press SELECT until their mode RAM byte matches, then soft-reset); soft
 *           reset; the game's starting actions, one frame each.
 * act(a):   frameSkip times: with probability 1 - p take `a` as the new action (else repeat the previous one; two
 *           RNG draws per frame, players A and B), then one frame unless the game is over; reward summed.
 */
import { Machine, type MachineOptions } from '../machine.js';
import { md5Hex } from '../cart/detect.js';
import { Mt19937 } from '@vinegym/rng';
import { ByteReader, ByteWriter } from '../util/bytes.js';
import { Action, actionDirections } from './actions.js';
import { type GameInfo, type GameTracker, type ModeConsole, gameFor } from './games/index.js';

export const PADDLE_DELTA = 23000;
export const PADDLE_MIN = 27450;
export const PADDLE_MAX = 790196;
const RESET_FRAMES = 4;
const NOOP_FRAMES = 60;

export interface EmulatorOptions {
  /** ALE random_seed (environment RNG, sticky actions). */
  randomSeed?: number;
  /** ALE frame_skip (default 1). */
  frameSkip?: number;
  repeatActionProbability?: number;
  /** 0 = unlimited. */
  maxNumFramesPerEpisode?: number;
  /** Extra machine options (override the game's properties). */
  machine?: MachineOptions;
  /** ALE difficulty: bit 0 puts the left difficulty switch to A, bit 1 the right one (default 0: both B). */
  difficulty?: number;
  /** Skip the reset performed at load (ALEInterface.loadROM resets once). */
  noInitialReset?: boolean;
}

/** Resistance change of a paddle for a player action: RIGHT turns it one way, LEFT the other. */
function paddleDelta(action: number): number {
  if (action >= 36) return 0;
  const d = actionDirections(action);
  if (d.right) return -PADDLE_DELTA;
  if (d.left) return PADDLE_DELTA;
  return 0;
}

export class AleEmulator {
  readonly machine: Machine;
  readonly game: GameInfo;
  readonly tracker: GameTracker;
  readonly rng: Mt19937;
  readonly usePaddles: boolean;
  frameSkip: number;
  repeatActionProbability: number;
  maxNumFramesPerEpisode: number;
  difficulty: number;
  frameNumber = 0;
  episodeFrameNumber = 0;
  private leftPaddle = 0;
  private rightPaddle = 0;
  private readonly paddleMax: number;
  private readonly illegalActions: ReadonlySet<number>;
  private lastActions = [Action.NOOP as number, Action.PLAYER_B_NOOP as number];

  constructor(rom: Uint8Array, game?: GameInfo, options: EmulatorOptions = {}) {
    const md5 = md5Hex(rom);
    this.game = game ?? gameFor(md5);
    this.machine = new Machine(rom, { ...this.game.stella, ...options.machine });
    this.usePaddles = this.machine.ports.config.left === 'paddles' || this.machine.ports.config.right === 'paddles';
    this.tracker = this.game.createTracker();
    this.rng = new Mt19937(options.randomSeed ?? 0);
    this.frameSkip = Math.max(1, options.frameSkip ?? 1);
    this.repeatActionProbability = options.repeatActionProbability ?? 0.25;
    this.maxNumFramesPerEpisode = options.maxNumFramesPerEpisode ?? 0;
    this.difficulty = options.difficulty ?? 0;
    this.paddleMax = this.game.paddleMax ?? PADDLE_MAX;
    this.illegalActions = new Set(this.game.illegalActions ?? []);
    if (this.usePaddles) this.resetPaddles();
    if (!options.noInitialReset) this.reset();
  }

  /** Minimal action set (ALE ids). */
  get minimalActionSet(): readonly number[] {
    return this.game.minimalActions;
  }

  get lives(): number {
    return this.tracker.lives;
  }

  isGameTerminal(): boolean {
    return this.tracker.terminal;
  }

  isTruncated(): boolean {
    return this.maxNumFramesPerEpisode > 0 && this.episodeFrameNumber >= this.maxNumFramesPerEpisode;
  }

  isTerminal(): boolean {
    return this.isGameTerminal() || this.isTruncated();
  }

  private ramReader = (offset: number): number => this.machine.systemPeek((offset & 0x7f) + 0x80);
  private busReader = (address: number): number => this.machine.systemPeek(address);

  /** What the game's mode selection may do (ALE's StellaEnvironmentWrapper). */
  private modeConsole(): ModeConsole {
    return {
      ram: this.ramReader,
      peek: this.busReader,
      pressSelect: (frames) => this.pressSelect(frames),
      softReset: () => this.softReset(),
      act: (action) => {
        this.act(action);
      },
      rng: this.rng,
    };
  }

  // ------------------------------------------------------------------ inputs

  private resetPaddles(): void {
    const v = Math.trunc((PADDLE_MIN + this.paddleMax) / 2);
    this.setPaddles(v, v);
  }

  private setPaddles(left: number, right: number): void {
    this.leftPaddle = left;
    this.rightPaddle = right;
    this.machine.events.paddleResistance[0] = left;
    this.machine.events.paddleResistance[1] = right;
  }

  /** ALE's resetKeys: release everything, difficulty switches from the difficulty setting (0: B/B). */
  private resetKeys(): void {
    const e = this.machine.events;
    e.releaseAll();
    e.leftDifficulty = this.difficulty & 1 ? 'A' : 'B';
    e.rightDifficulty = this.difficulty & 2 ? 'A' : 'B';
  }

  private applyJoysticks(a: number, b: number): void {
    this.resetKeys();
    const e = this.machine.events;
    if (a === Action.RESET || b === Action.RESET) e.reset = true;
    // With swapped ports (Stella's Console.SwapPorts) player A's joystick is the one in the right jack.
    const jackA = this.game.swapPorts ? 1 : 0;
    const jackB = 1 - jackA;
    if (a < 18) Object.assign(e.joystick[jackA]!, actionDirections(a));
    if (b >= 18 && b < 36) Object.assign(e.joystick[jackB]!, actionDirections(b));
  }

  private applyPaddles(a: number, b: number): void {
    this.resetKeys();
    const da = a < 18 ? paddleDelta(a) : 0;
    const db = b >= 18 && b < 36 ? paddleDelta(b) : 0;
    this.setPaddles(this.clampPaddle(this.leftPaddle + da), this.clampPaddle(this.rightPaddle + db));
    const e = this.machine.events;
    if (a === Action.RESET || b === Action.RESET) e.reset = true;
    if (a < 18 && actionDirections(a).fire) e.paddleFire[0] = true;
    if (b >= 18 && b < 36 && actionDirections(b).fire) e.paddleFire[1] = true;
  }

  private clampPaddle(v: number): number {
    return Math.min(this.paddleMax, Math.max(PADDLE_MIN, v));
  }

  // ------------------------------------------------------------------ emulation

  /**
   * Applies the actions and runs `frames` frames, stepping the game tracker after each. `observed` false: nobody
   * looks at these frames' screens (Machine.runFrame).
   */
  emulate(a: number, b: number = Action.PLAYER_B_NOOP, frames = 1, observed = true): void {
    if (this.usePaddles) {
      for (let t = 0; t < frames; t++) {
        this.applyPaddles(a, b);
        this.machine.runFrame(observed);
        this.tracker.step(this.ramReader, this.busReader);
      }
    } else {
      this.applyJoysticks(a, b);
      for (let t = 0; t < frames; t++) {
        this.machine.runFrame(observed);
        this.tracker.step(this.ramReader, this.busReader);
      }
    }
  }

  softReset(): void {
    this.emulate(Action.RESET, Action.PLAYER_B_NOOP, RESET_FRAMES);
    this.lastActions = [Action.NOOP, Action.PLAYER_B_NOOP];
  }

  /** SELECT held for `frames` frames (no tracker step), then one NOOP frame. */
  pressSelect(frames = 1): void {
    this.resetKeys();
    this.machine.events.select = true;
    for (let t = 0; t < frames; t++) this.machine.runFrame();
    this.emulate(Action.NOOP, Action.PLAYER_B_NOOP);
    this.frameNumber++;
    this.episodeFrameNumber++;
  }

  reset(): void {
    this.episodeFrameNumber = 0;
    if (this.usePaddles) this.resetPaddles();
    this.machine.reset();
    this.emulate(Action.NOOP, Action.PLAYER_B_NOOP, NOOP_FRAMES);
    this.softReset();
    this.tracker.reset();
    this.game.selectMode?.(this.modeConsole());
    this.softReset();
    for (const a of this.game.startingActions ?? []) this.emulate(a, Action.PLAYER_B_NOOP);
  }

  /** One frame of an agent step (ALE's oneStepAct): illegal actions and RESET become NOOP. */
  private oneStepAct(a: number, b: number, observed: boolean): number {
    if (this.isTerminal()) return 0;
    this.emulate(a === Action.RESET || this.illegalActions.has(a) ? Action.NOOP : a, b, 1, observed);
    this.frameNumber++;
    this.episodeFrameNumber++;
    return this.tracker.reward;
  }

  /**
   * ALE's act(): `frameSkip` frames with sticky actions; returns the summed reward. Only the last frame's screen can
   * be read after it (ALE's frame skip), and only that frame is drawn when `observed`; screens read later are the
   * same either way (Machine.runFrame).
   */
  act(action: number, observed = true): number {
    let sum = 0;
    for (let i = 0; i < this.frameSkip; i++) {
      if (this.rng.nextDouble() >= this.repeatActionProbability) this.lastActions[0] = action;
      if (this.rng.nextDouble() >= this.repeatActionProbability) this.lastActions[1] = Action.PLAYER_B_NOOP;
      sum += this.oneStepAct(this.lastActions[0]!, this.lastActions[1]!, observed && i === this.frameSkip - 1);
    }
    return sum;
  }

  // ------------------------------------------------------------------ state

  saveState(includeRng = true): Uint8Array {
    const w = new ByteWriter();
    w.bytes(this.machine.saveState());
    w.i32(this.frameNumber);
    w.i32(this.episodeFrameNumber);
    w.i32(this.leftPaddle);
    w.i32(this.rightPaddle);
    w.i32(this.lastActions[0]!);
    w.i32(this.lastActions[1]!);
    w.f64(this.tracker.reward);
    w.bool(this.tracker.terminal);
    w.f64(this.tracker.lives);
    const internals = this.tracker.snapshot();
    w.i32(internals.length);
    for (const v of internals) w.f64(v);
    w.bool(includeRng);
    if (includeRng) w.bytes(this.rng.saveState());
    return w.finish();
  }

  loadState(state: Uint8Array): void {
    const r = new ByteReader(state);
    this.machine.loadState(r.bytes());
    this.frameNumber = r.i32();
    this.episodeFrameNumber = r.i32();
    this.leftPaddle = r.i32();
    this.rightPaddle = r.i32();
    this.lastActions = [r.i32(), r.i32()];
    this.tracker.reward = r.f64();
    this.tracker.terminal = r.bool();
    this.tracker.lives = r.f64();
    const n = r.i32();
    const internals: number[] = [];
    for (let i = 0; i < n; i++) internals.push(r.f64());
    this.tracker.restore(internals);
    if (r.bool()) this.rng.loadState(r.bytes());
  }
}
