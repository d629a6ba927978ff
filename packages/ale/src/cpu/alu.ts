/**
 * Instruction semantics on values: loads, logic, arithmetic (binary and NMOS decimal mode), compares, shifts and the
 * undocumented immediate/load instructions. No bus access here except none: callers pass operand values.
 *
 * Flags are stored lazily on the CPU: N = bit 7 of fN, Z = (fZ & 0xff) === 0, C/V/D/I are 0/1.
 *
 * NMOS decimal mode (facts as published by Bruce Clark, "Decimal Mode" tutorial on 6502.org, appendix A, and as
 * implemented in Stella):
 *  - ADC: A and C are the BCD-adjusted result. Z comes from the plain binary sum A+M+C. N and V come from the
 *    intermediate result after the low-nibble adjustment but before the high-nibble adjustment (so N/V look at the
 *    "half-adjusted" high nibble). Invalid BCD digits are handled by the same algorithm.
 *  - SBC: A is the BCD-adjusted result; N, V, Z and C are exactly those of the binary subtraction.
 */
import type { Cpu6502 } from './cpu.js';

export function lda(c: Cpu6502, v: number): void {
  c.a = c.fN = c.fZ = v;
}

export function ldx(c: Cpu6502, v: number): void {
  c.x = c.fN = c.fZ = v;
}

export function ldy(c: Cpu6502, v: number): void {
  c.y = c.fN = c.fZ = v;
}

export function ora(c: Cpu6502, v: number): void {
  c.a = c.fN = c.fZ = c.a | v;
}

export function and(c: Cpu6502, v: number): void {
  c.a = c.fN = c.fZ = c.a & v;
}

export function eor(c: Cpu6502, v: number): void {
  c.a = c.fN = c.fZ = c.a ^ v;
}

export function bit(c: Cpu6502, v: number): void {
  c.fZ = c.a & v;
  c.fN = v;
  c.fV = (v >> 6) & 1;
}

/** CMP/CPX/CPY: C = reg >= v, N/Z from reg - v. */
export function cmp(c: Cpu6502, reg: number, v: number): void {
  const d = reg - v;
  c.fC = d >= 0 ? 1 : 0;
  c.fN = c.fZ = d & 0xff;
}

export function adc(c: Cpu6502, v: number): void {
  if (c.fD) {
    adcDecimal(c, v);
    return;
  }
  const a = c.a;
  const s = a + v + c.fC;
  c.fV = ((~(a ^ v) & (a ^ s)) >> 7) & 1;
  c.fC = s >> 8;
  c.a = c.fN = c.fZ = s & 0xff;
}

function adcDecimal(c: Cpu6502, v: number): void {
  const a = c.a;
  const ci = c.fC;
  let lo = (a & 0x0f) + (v & 0x0f) + ci;
  let hi = (a & 0xf0) + (v & 0xf0);
  c.fZ = (a + v + ci) & 0xff;
  if (lo > 9) {
    lo = (lo + 6) & 0x0f;
    hi += 0x10;
  }
  c.fN = hi;
  c.fV = ((~(a ^ v) & (a ^ hi)) >> 7) & 1;
  if (hi > 0x90) hi += 0x60;
  c.fC = hi > 0xff ? 1 : 0;
  c.a = (hi & 0xf0) | lo;
}

export function sbc(c: Cpu6502, v: number): void {
  const a = c.a;
  const borrow = 1 - c.fC;
  const s = a - v - borrow;
  c.fV = (((a ^ v) & (a ^ s)) >> 7) & 1;
  c.fC = s >= 0 ? 1 : 0;
  c.fN = c.fZ = s & 0xff;
  if (!c.fD) {
    c.a = s & 0xff;
    return;
  }
  let lo = (a & 0x0f) - (v & 0x0f) - borrow;
  let hi = (a & 0xf0) - (v & 0xf0);
  if (lo < 0) {
    lo = (lo - 6) & 0x0f;
    hi -= 0x10;
  }
  if (hi < 0) hi -= 0x60;
  c.a = (hi & 0xf0) | lo;
}

// ---- shifts: take the old value, set N/Z/C, return the new value ----

export function asl(c: Cpu6502, v: number): number {
  c.fC = v >> 7;
  const r = (v << 1) & 0xff;
  c.fN = c.fZ = r;
  return r;
}

export function lsr(c: Cpu6502, v: number): number {
  c.fC = v & 1;
  const r = v >> 1;
  c.fN = c.fZ = r;
  return r;
}

export function rol(c: Cpu6502, v: number): number {
  const r = ((v << 1) & 0xff) | c.fC;
  c.fC = v >> 7;
  c.fN = c.fZ = r;
  return r;
}

export function ror(c: Cpu6502, v: number): number {
  const r = (v >> 1) | (c.fC << 7);
  c.fC = v & 1;
  c.fN = c.fZ = r;
  return r;
}

// ---- undocumented, non-memory-writing ----

/** LAX: A = X = M. */
export function lax(c: Cpu6502, v: number): void {
  c.a = c.x = c.fN = c.fZ = v;
}

/** ANC (0B/2B): A &= M, C = N. */
export function anc(c: Cpu6502, v: number): void {
  const r = c.a & v;
  c.a = c.fN = c.fZ = r;
  c.fC = r >> 7;
}

/** ALR/ASR (4B): A = (A & M) >> 1. */
export function alr(c: Cpu6502, v: number): void {
  const t = c.a & v;
  c.fC = t & 1;
  c.a = c.fN = c.fZ = t >> 1;
}

/**
 * ARR (6B): A = (A & M) ROR 1 with odd flags. Binary mode: C = bit 6 of the result, V = bit 6 xor bit 5.
 * Decimal mode (NMOS, "No More Secrets"/Stella): N = old C, Z from the rotated value, V = bit 6 changed by the
 * rotation, then a BCD fix-up of each nibble of the rotated value, C = high nibble fix-up happened.
 */
export function arr(c: Cpu6502, v: number): void {
  const t = c.a & v;
  const r = (t >> 1) | (c.fC << 7);
  if (!c.fD) {
    c.a = c.fN = c.fZ = r;
    c.fC = (r >> 6) & 1;
    c.fV = ((r >> 6) ^ (r >> 5)) & 1;
    return;
  }
  c.fN = c.fC << 7;
  c.fZ = r;
  c.fV = ((t ^ r) >> 6) & 1;
  let a = r;
  if ((t & 0x0f) + (t & 0x01) > 0x05) a = (a & 0xf0) | ((a + 0x06) & 0x0f);
  if ((t & 0xf0) + (t & 0x10) > 0x50) {
    a = (a + 0x60) & 0xff;
    c.fC = 1;
  } else {
    c.fC = 0;
  }
  c.a = a;
}

/** SBX/AXS (CB): X = (A & X) - M, C like CMP, no decimal mode, V unaffected. */
export function sbx(c: Cpu6502, v: number): void {
  const d = (c.a & c.x) - v;
  c.fC = d >= 0 ? 1 : 0;
  c.x = c.fN = c.fZ = d & 0xff;
}

/** Magic constant of the unstable ANE and LXA (Stella's / 64doc's convention). */
export const UNSTABLE_MAGIC = 0xee;

/** ANE/XAA (8B), unstable: A = (A | $EE) & X & M. */
export function ane(c: Cpu6502, v: number): void {
  c.a = c.fN = c.fZ = (c.a | UNSTABLE_MAGIC) & c.x & v;
}

/** LXA/LAX #imm (AB), unstable: A = X = (A | $EE) & M. */
export function lxa(c: Cpu6502, v: number): void {
  c.a = c.x = c.fN = c.fZ = (c.a | UNSTABLE_MAGIC) & v;
}

/** LAS (BB): A = X = SP = SP & M. */
export function las(c: Cpu6502, v: number): void {
  c.a = c.x = c.sp = c.fN = c.fZ = c.sp & v;
}
