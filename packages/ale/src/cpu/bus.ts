/**
 * The CPU's view of the machine. The CPU passes full 16-bit addresses; the 6507's 13 address lines are the bus's
 * business (it masks). Every call is exactly one CPU cycle.
 */
export interface Bus {
  /** returns the byte (0..255) at `address` */
  read(address: number): number;
  write(address: number, value: number): void;
}

/** `lastAccess` flag: the access was a write (bits 0-7 hold the value on the data bus). */
export const WRITE_FLAG = 0x100;

/**
 * Address flag (above the 16 address bits) of the CPU's dummy reads: the cycles whose value it ignores (implied
 * ops, taken branches, index page crossings, stack and RTS, zp,X bases). The 6507 performs them, ALE's Stella does
 * not, so a device whose reads have side effects may ignore flagged ones (the DPC's random number generator).
 * Devices decode the address bits they need and never see the flag otherwise.
 */
export const DUMMY_READ = 0x10000;

/**
 * A bus that lets the interpreter skip the calls for most accesses (the machine's bus). While running, the CPU keeps
 * the cycle counter and the last data-bus value in registers; it hands them to `read`/`write` for the accesses it
 * cannot serve itself and stores them back when it stops.
 *
 * Served by the CPU itself (never seen by `read`/`write`):
 * - RAM: an address `a` with `(a & directRamMask) === directRamMatch` is `directRam[a & 0x7f]` (reads, writes);
 * - reads with A12 set where `readWindow[a & 0xfff] >= 0`: that value (cartridge ROM without side effects).
 */
export interface CycleBus {
  /** Cycle counter: +1 per access (the counted access included when `read`/`write` are called). */
  cycles: number;
  /** Value of the last access, | WRITE_FLAG if it was a write. */
  lastAccess: number;
  /** The CPU finishes the current instruction and returns when the bus sets this. */
  stopRequested: boolean;
  readonly directRam: Uint8Array;
  readonly directRamMask: number;
  readonly directRamMatch: number;
  /** Replaced by the bus when it changes (bank switch); the CPU reads it on every cartridge access. */
  readonly readWindow: Int16Array;
  /** One read cycle; `cycle` = the counter including this access, `lastAccess` = the access before it. */
  read(address: number, cycle: number, lastAccess: number): number;
  /** One write cycle; returns the cycle counter after it (a bus may halt the CPU: WSYNC). */
  write(address: number, value: number, cycle: number, lastAccess: number): number;
  /**
   * How many reads of `address`, at cycles `cycle`, `cycle + period`, ..., certainly change nothing and return a
   * count down that stays at or above `min` (each value no larger than the one before; 0 if the bus cannot tell).
   * The interpreter skips that many rounds of a timer wait loop (`LDA INTIM / BNE` or `BPL` back to it) instead of
   * running them: the reads it leaves out are indistinguishable.
   */
  idleCountdownReads(address: number, cycle: number, period: number, min: number): number;
}

/** A read window that sends every access to `read`. */
export const NO_WINDOW: Int16Array = new Int16Array(4096).fill(-1);

/** A plain `Bus` as a CycleBus without shortcuts: every access is a call (tests, tools). */
export class PlainCycleBus implements CycleBus {
  cycles = 0;
  lastAccess = 0;
  stopRequested = false;
  readonly directRam = new Uint8Array(128);
  readonly directRamMask = 0;
  readonly directRamMatch = -1;
  readonly readWindow = NO_WINDOW;

  constructor(private readonly bus: Bus) {}

  read(address: number): number {
    return this.bus.read(address & 0xffff);
  }

  write(address: number, value: number, cycle: number): number {
    this.bus.write(address, value);
    return cycle;
  }

  /** A plain Bus says nothing about its reads: the CPU runs every cycle. */
  idleCountdownReads(): number {
    return 0;
  }
}

export function isCycleBus(bus: Bus | CycleBus): bus is CycleBus {
  return 'readWindow' in bus;
}
