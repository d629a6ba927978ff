/**
 * Addressing modes: each function performs the bus cycles of the address calculation (including the real chip's
 * dummy reads) and returns the effective address. The data access itself is done by the caller.
 *
 * Suffix R = read instructions (the extra cycle only on page crossing), W = write and read-modify-write instructions
 * (the read from the not-yet-fixed address always happens).
 */
import type { Cpu6502 } from './cpu.js';

/** Dummy read of the byte after the opcode (implied / accumulator instructions, cycle 2). */
export function implied(c: Cpu6502): void {
  c.rd(c.pc);
}

export function zp(c: Cpu6502): number {
  return c.fetch();
}

/** zp,X: the base address is read (dummy) while X is added; wraps within page zero. */
export function zpx(c: Cpu6502): number {
  const b = c.fetch();
  c.rd(b);
  return (b + c.x) & 0xff;
}

export function zpy(c: Cpu6502): number {
  const b = c.fetch();
  c.rd(b);
  return (b + c.y) & 0xff;
}

export function abs(c: Cpu6502): number {
  const lo = c.fetch();
  return lo | (c.fetch() << 8);
}

/** abs,X for reads: on a page crossing, one dummy read from the unfixed address (high byte not yet incremented). */
export function absxr(c: Cpu6502): number {
  const lo = c.fetch();
  const hi = c.fetch() << 8;
  const s = lo + c.x;
  if (s > 0xff) c.rd(hi | (s & 0xff));
  return (hi + s) & 0xffff;
}

/** abs,X for writes/RMW: the read from the unfixed address always happens. */
export function absxw(c: Cpu6502): number {
  const lo = c.fetch();
  const hi = c.fetch() << 8;
  const s = lo + c.x;
  c.rd(hi | (s & 0xff));
  return (hi + s) & 0xffff;
}

export function absyr(c: Cpu6502): number {
  const lo = c.fetch();
  const hi = c.fetch() << 8;
  const s = lo + c.y;
  if (s > 0xff) c.rd(hi | (s & 0xff));
  return (hi + s) & 0xffff;
}

export function absyw(c: Cpu6502): number {
  const lo = c.fetch();
  const hi = c.fetch() << 8;
  const s = lo + c.y;
  c.rd(hi | (s & 0xff));
  return (hi + s) & 0xffff;
}

/** (zp,X): dummy read of the pointer base, then the pointer bytes (wrapping within page zero). */
export function indx(c: Cpu6502): number {
  const b = c.fetch();
  c.rd(b);
  const p = (b + c.x) & 0xff;
  const lo = c.rd(p);
  return lo | (c.rd((p + 1) & 0xff) << 8);
}

/** (zp),Y for reads. */
export function indyr(c: Cpu6502): number {
  const p = c.fetch();
  const lo = c.rd(p);
  const hi = c.rd((p + 1) & 0xff) << 8;
  const s = lo + c.y;
  if (s > 0xff) c.rd(hi | (s & 0xff));
  return (hi + s) & 0xffff;
}

/** (zp),Y for writes/RMW. */
export function indyw(c: Cpu6502): number {
  const p = c.fetch();
  const lo = c.rd(p);
  const hi = c.rd((p + 1) & 0xff) << 8;
  const s = lo + c.y;
  c.rd(hi | (s & 0xff));
  return (hi + s) & 0xffff;
}

/** JMP (abs): NMOS bug, the high byte of the target is read from the same page ($xxFF -> $xx00). */
export function ind(c: Cpu6502): number {
  const lo = c.fetch();
  const hi = c.fetch() << 8;
  const tl = c.rd(hi | lo);
  return tl | (c.rd(hi | ((lo + 1) & 0xff)) << 8);
}
