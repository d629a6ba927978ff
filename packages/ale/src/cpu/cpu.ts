import { type Bus, type CycleBus, PlainCycleBus, isCycleBus } from './bus.js';
import { statusByte } from './arith.js';
import { runBlocks } from './blocks.js';
import { execute } from './interpreter.js';

const STATE_VERSION = 1;
const STATE_BYTES = 9;

/**
 * NMOS 6502 core as found in the 6507 of the Atari 2600 (no IRQ/NMI lines; BRK works). The registers live here
 * between runs; `run`/`step` hand them to the interpreter (interpreter.ts), which keeps them in locals.
 *
 * Cycle exactness: every cycle performs exactly one bus access (read or write) in the order of the real chip,
 * including all dummy reads and the read-modify-write dummy write. On a plain `Bus`, `step()` returns the number of
 * bus accesses it made.
 *
 * Status register `p` (NV-BDIZC): bit 5 and bit 4 (B) always read as 1. B is not a real flip-flop; on a 6507
 * every status push (PHP, BRK) stores B=1, PLP/RTI ignore bits 4 and 5.
 *
 * JAM/KIL: the KIL opcodes (02 12 22 32 42 52 62 72 92 B2 D2 F2) take 2 accesses (opcode fetch, read of the next
 * byte), leave PC pointing after the opcode and set `jammed`. While jammed, every `step()` performs one read of
 * $FFFF (the address the jammed NMOS chip keeps on its bus) and returns 1, so a machine that counts bus accesses
 * keeps running its video. Only `reset()` (or `loadState`) clears `jammed`.
 */
export class Cpu6502 {
  a = 0;
  x = 0;
  y = 0;
  sp = 0xfd;
  pc = 0;
  jammed = false;

  /** @internal N flag = bit 7 of fN */
  fN = 0;
  /** @internal Z flag set iff (fZ & 0xff) === 0 */
  fZ = 1;
  /** @internal carry, 0/1 */
  fC = 0;
  /** @internal overflow, 0/1 */
  fV = 0;
  /** @internal decimal mode, 0/1 */
  fD = 0;
  /** @internal interrupt disable, 0/1 */
  fI = 1;

  /** The bus as the interpreter sees it (a plain Bus is wrapped). */
  readonly bus: CycleBus;

  /**
   * `run` runs compiled blocks of the cartridge's code where it can (blocks.ts), with the same bus accesses,
   * cycles and registers as the interpreter; false: the interpreter alone.
   */
  compileBlocks = false;

  constructor(bus: Bus | CycleBus) {
    this.bus = isCycleBus(bus) ? bus : new PlainCycleBus(bus);
  }

  /** Status register NV-BDIZC; bits 4 and 5 read as 1. */
  get p(): number {
    return statusByte(this.fN, this.fV, this.fD, this.fI, this.fZ, this.fC);
  }

  set p(v: number) {
    this.fN = v & 0x80;
    this.fV = (v >> 6) & 1;
    this.fD = (v >> 3) & 1;
    this.fI = (v >> 2) & 1;
    this.fZ = v & 2 ? 0 : 1;
    this.fC = v & 1;
  }

  /** One bus read cycle outside the interpreter (reset sequence). */
  private read(address: number): number {
    const bus = this.bus;
    const v = bus.read(address, ++bus.cycles, bus.lastAccess);
    bus.lastAccess = v;
    return v;
  }

  /**
   * 6502 reset sequence, 7 bus reads: two reads at PC, three stack reads (the suppressed pushes; SP counts down
   * from $00 to $FD), then the vector at $FFFC/$FFFD. Sets I, clears D (and the other flags), leaves A/X/Y alone.
   */
  reset(): void {
    this.jammed = false;
    this.read(this.pc);
    this.read(this.pc);
    this.sp = 0;
    for (let i = 0; i < 3; i++) {
      this.read(0x100 | this.sp);
      this.sp = (this.sp - 1) & 0xff;
    }
    this.p = 0x34;
    const lo = this.read(0xfffc);
    const hi = this.read(0xfffd);
    this.pc = lo | (hi << 8);
  }

  /**
   * Runs up to `limit` instructions, fewer if the bus sets `stopRequested` (checked after each instruction).
   * Returns the number of instructions run.
   */
  run(limit: number): number {
    return this.compileBlocks ? runBlocks(this, this.bus, limit) : execute(this, this.bus, limit);
  }

  /** Executes one whole instruction; returns the cycles it took (= bus accesses, unless the bus halted the CPU). */
  step(): number {
    const before = this.bus.cycles;
    execute(this, this.bus, 1);
    return this.bus.cycles - before;
  }

  /** Registers and flags: [version, a, x, y, sp, pcl, pch, p, jammed]. */
  saveState(): Uint8Array {
    const s = new Uint8Array(STATE_BYTES);
    s[0] = STATE_VERSION;
    s[1] = this.a;
    s[2] = this.x;
    s[3] = this.y;
    s[4] = this.sp;
    s[5] = this.pc & 0xff;
    s[6] = this.pc >> 8;
    s[7] = this.p;
    s[8] = this.jammed ? 1 : 0;
    return s;
  }

  loadState(s: Uint8Array): void {
    if (s.length !== STATE_BYTES || s[0] !== STATE_VERSION) {
      throw new Error(`Cpu6502.loadState: bad state (length ${s.length}, version ${s[0]})`);
    }
    this.a = s[1]!;
    this.x = s[2]!;
    this.y = s[3]!;
    this.sp = s[4]!;
    this.pc = s[5]! | (s[6]! << 8);
    this.p = s[7]!;
    this.jammed = s[8] !== 0;
  }
}
