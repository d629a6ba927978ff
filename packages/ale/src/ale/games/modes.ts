/**
 * ALE's game-mode selection for the default mode: most games press SELECT until a RAM value shows the wanted mode,
 * then soft-reset. A few need extra presses or waits first (`before`).
 */
import type { BusReader, ModeConsole, RamReader } from './types.js';

export interface SelectOptions {
  /** Frames SELECT is held per press (ALE's pressSelect argument; default 1). */
  frames?: number;
  /** Runs before the first look at the mode (e.g. a press that opens the selection screen). */
  before?(console: ModeConsole): void;
}

/** Presses SELECT until `reached(ram, peek)`, then soft-resets. */
export function selectUntil(reached: (ram: RamReader, peek: BusReader) => boolean, options: SelectOptions = {}) {
  return (c: ModeConsole): void => {
    options.before?.(c);
    // A guard against ROMs that never show the mode (ALE would loop forever).
    for (let presses = 0; !reached(c.ram, c.peek) && presses < 1000; presses++) c.pressSelect(options.frames ?? 1);
    c.softReset();
  };
}

/** Presses SELECT until RAM byte `offset` equals `mode`, then soft-resets. */
export function selectRam(offset: number, mode: number, options: SelectOptions = {}) {
  return selectUntil((ram) => ram(offset) === mode, options);
}

/** The ALE pattern "open the selection screen with one press first". */
export const pressFirst = (frames: number) => (c: ModeConsole) => c.pressSelect(frames);
