/** Shapes of the per-game ALE settings (ALE's RomSettings plus the Stella properties of the ROM). */
import type { Mt19937 } from '@vinegym/rng';
import type { MachineOptions } from '../../machine.js';

/** Reads RIOT RAM byte `offset & 0x7f` (ALE's readRam). */
export type RamReader = (offset: number) => number;
/** Reads any address of the 6507 bus without side effects on the game (ALE's readMappedRam), e.g. cartridge RAM. */
export type BusReader = (address: number) => number;

/** Mutable per-episode tracker (RomSettings' state). */
export interface GameTracker {
  reward: number;
  terminal: boolean;
  lives: number;
  reset(): void;
  step(ram: RamReader, peek: BusReader): void;
  /** Internal state beyond reward/terminal/lives (for state snapshots). */
  snapshot(): number[];
  restore(state: number[]): void;
}

/** What a game's mode selection may do with the console (ALE's StellaEnvironmentWrapper). */
export interface ModeConsole {
  ram: RamReader;
  peek: BusReader;
  /** SELECT held for `frames` frames, then one NOOP frame. */
  pressSelect(frames?: number): void;
  softReset(): void;
  /** One agent step with player A's action (sticky-action draws included, as ALE's act). */
  act(action: number): void;
  /** ALE's environment RNG. */
  readonly rng: Mt19937;
}

/** Stella properties of the ROM that change the emulation (ALE's property table entry for its md5). */
export type StellaProperties = Pick<
  MachineOptions,
  'cartType' | 'yStart' | 'height' | 'format' | 'leftController' | 'rightController' | 'swapPaddles' | 'hmoveBlanks'
>;

export interface GameInfo {
  /** ale-py ROM name (file roms/<name>.bin). */
  name: string;
  md5: string;
  /** ALE's minimal action set (ids, ascending). */
  minimalActions: readonly number[];
  /** Player A actions ALE replaces by NOOP before emulating (RomSettings::isLegal). */
  illegalActions?: readonly number[];
  /** Actions played one frame each at the end of every reset. */
  startingActions?: readonly number[];
  stella?: StellaProperties;
  /** Stella's Console.SwapPorts: player A's joystick is plugged into the right jack. */
  swapPorts?: boolean;
  /** ALE setting paddle_max when the game changes it (paddle resistance range). */
  paddleMax?: number;
  /** ALE's default game mode (the first of the game's modes; 0 when omitted). */
  defaultMode?: number;
  /** ALE's setMode for the default mode (run after the first soft reset of every reset). */
  selectMode?(console: ModeConsole): void;
  createTracker(): GameTracker;
}

/** The per-game part of a table entry (the name comes from its key). */
export type GameSettings = Omit<GameInfo, 'name'>;
