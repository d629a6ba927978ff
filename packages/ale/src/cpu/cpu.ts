import type { Bus } from './bus.js';
import { OPS } from './execute.js';

const STATE_VERSION = 1;
const STATE_BYTES = 9;

/**
 * NMOS 6502 core as found in the 6507 of the Atari 2600 (no IRQ/NMI lines; BRK works).
 *
 * Cycle exactness: every cycle performs exactly one bus access (read or write) in the order of the real chip,
 * including all dummy reads and the read-modify-write dummy write, so `step()` returns the number of bus accesses it
 * made. The machine can sync TIA/RIOT on each access.
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
  /** @internal bus accesses made by the current step */
  n = 0;

  constructor(readonly bus: Bus) {}

  /** Status register NV-BDIZC; bits 4 and 5 read as 1. */
  get p(): number {
    return (
      (this.fN & 0x80) |
      (this.fV << 6) |
      0x30 |
      (this.fD << 3) |
      (this.fI << 2) |
      ((this.fZ & 0xff) === 0 ? 2 : 0) |
      this.fC
    );
  }

  set p(v: number) {
    this.fN = v & 0x80;
    this.fV = (v >> 6) & 1;
    this.fD = (v >> 3) & 1;
    this.fI = (v >> 2) & 1;
    this.fZ = v & 2 ? 0 : 1;
    this.fC = v & 1;
  }

  /** One bus read cycle. */
  rd(address: number): number {
    this.n++;
    return this.bus.read(address);
  }

  /** One bus write cycle. */
  wr(address: number, value: number): void {
    this.n++;
    this.bus.write(address, value);
  }

  /** Read the byte at PC and increment PC (one cycle). */
  fetch(): number {
    const pc = this.pc;
    this.pc = (pc + 1) & 0xffff;
    this.n++;
    return this.bus.read(pc);
  }

  /** Push one byte (one write cycle). */
  push(v: number): void {
    const sp = this.sp;
    this.sp = (sp - 1) & 0xff;
    this.n++;
    this.bus.write(0x100 | sp, v);
  }

  /** Increment SP and read the stack (one read cycle). */
  pull(): number {
    const sp = (this.sp + 1) & 0xff;
    this.sp = sp;
    this.n++;
    return this.bus.read(0x100 | sp);
  }

  /**
   * 6502 reset sequence, 7 bus reads: two reads at PC, three stack reads (the suppressed pushes; SP counts down
   * from $00 to $FD), then the vector at $FFFC/$FFFD. Sets I, clears D (and the other flags), leaves A/X/Y alone.
   */
  reset(): void {
    this.n = 0;
    this.jammed = false;
    this.rd(this.pc);
    this.rd(this.pc);
    this.sp = 0;
    for (let i = 0; i < 3; i++) {
      this.rd(0x100 | this.sp);
      this.sp = (this.sp - 1) & 0xff;
    }
    this.p = 0x34;
    const lo = this.rd(0xfffc);
    const hi = this.rd(0xfffd);
    this.pc = lo | (hi << 8);
  }

  /** Execute one whole instruction; returns its cycle count (= bus accesses made). */
  step(): number {
    this.n = 0;
    if (this.jammed) {
      this.rd(0xffff);
      return 1;
    }
    OPS[this.fetch()]!(this);
    return this.n;
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
