/** Branches, jumps, subroutine/interrupt returns and stack instructions, with the real chip's dummy accesses. */
import type { Cpu6502 } from './cpu.js';

/**
 * Relative branch: 2 cycles; taken +1 (dummy read of the next opcode), +1 more on a page crossing (dummy read at
 * the target low byte in the old page).
 */
export function branch(c: Cpu6502, taken: boolean): void {
  const off = c.fetch();
  if (!taken) return;
  const pc = c.pc;
  c.rd(pc);
  const t = (pc + ((off ^ 0x80) - 0x80)) & 0xffff;
  if ((t ^ pc) & 0xff00) c.rd((pc & 0xff00) | (t & 0xff));
  c.pc = t;
}

/** JSR: low byte, dummy stack read, push PCH, push PCL, high byte. 6 cycles. */
export function jsr(c: Cpu6502): void {
  const lo = c.fetch();
  c.rd(0x100 | c.sp);
  c.push(c.pc >> 8);
  c.push(c.pc & 0xff);
  const hi = c.rd(c.pc);
  c.pc = lo | (hi << 8);
}

/** RTS: dummy read at PC, dummy stack read, pull PCL, PCH, dummy read at the pulled address, PC+1. 6 cycles. */
export function rts(c: Cpu6502): void {
  c.rd(c.pc);
  c.rd(0x100 | c.sp);
  const lo = c.pull();
  const hi = c.pull();
  const pc = lo | (hi << 8);
  c.rd(pc);
  c.pc = (pc + 1) & 0xffff;
}

/** RTI: dummy read at PC, dummy stack read, pull P, PCL, PCH. 6 cycles. */
export function rti(c: Cpu6502): void {
  c.rd(c.pc);
  c.rd(0x100 | c.sp);
  c.p = c.pull();
  const lo = c.pull();
  const hi = c.pull();
  c.pc = lo | (hi << 8);
}

/** BRK: read (and skip) the signature byte, push PC and P (B=1), set I, vector $FFFE. 7 cycles. */
export function brk(c: Cpu6502): void {
  c.fetch();
  c.push(c.pc >> 8);
  c.push(c.pc & 0xff);
  c.push(c.p | 0x30);
  c.fI = 1;
  const lo = c.rd(0xfffe);
  const hi = c.rd(0xffff);
  c.pc = lo | (hi << 8);
}

export function pha(c: Cpu6502): void {
  c.rd(c.pc);
  c.push(c.a);
}

export function php(c: Cpu6502): void {
  c.rd(c.pc);
  c.push(c.p | 0x30);
}

export function pla(c: Cpu6502): void {
  c.rd(c.pc);
  c.rd(0x100 | c.sp);
  c.a = c.fN = c.fZ = c.pull();
}

export function plp(c: Cpu6502): void {
  c.rd(c.pc);
  c.rd(0x100 | c.sp);
  c.p = c.pull();
}

/** KIL/JAM: opcode fetch + one read of the next byte, then the CPU is jammed (see Cpu6502). */
export function kil(c: Cpu6502): void {
  c.rd(c.pc);
  c.jammed = true;
}
