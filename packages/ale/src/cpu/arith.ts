/**
 * ADC/SBC (binary and NMOS decimal mode) and ARR's decimal fix-up as pure functions, shared by ADC/SBC and the
 * undocumented RRA/ISB. Results are packed into one small integer so the interpreter can keep its flags in locals:
 * bits 0-7 = A, bit 8 = C, bit 9 = V, bit 10 = N, bit 11 = Z.
 *
 * NMOS decimal mode (facts as published by Bruce Clark, "Decimal Mode" tutorial on 6502.org, appendix A, and as
 * implemented in Stella):
 *  - ADC: A and C are the BCD-adjusted result. Z comes from the plain binary sum A+M+C. N and V come from the
 *    intermediate result after the low-nibble adjustment but before the high-nibble adjustment (so N/V look at the
 *    "half-adjusted" high nibble). Invalid BCD digits are handled by the same algorithm.
 *  - SBC: A is the BCD-adjusted result; N, V, Z and C are exactly those of the binary subtraction.
 */

/** Magic constant of the unstable ANE and LXA (Stella's / 64doc's convention). */
export const UNSTABLE_MAGIC = 0xee;

export const PACKED_C = 0x100;
export const PACKED_V = 0x200;
export const PACKED_N = 0x400;
export const PACKED_Z = 0x800;

function pack(a: number, c: number, v: number, n: number, zeroSource: number): number {
  return a | (c << 8) | (v << 9) | ((n & 0x80) << 3) | ((zeroSource & 0xff) === 0 ? PACKED_Z : 0);
}

/** A + M + C; `decimal` = the D flag. */
export function adc(a: number, m: number, carry: number, decimal: number): number {
  if (!decimal) {
    const s = a + m + carry;
    return pack(s & 0xff, s >> 8, ((~(a ^ m) & (a ^ s)) >> 7) & 1, s, s);
  }
  let lo = (a & 0x0f) + (m & 0x0f) + carry;
  let hi = (a & 0xf0) + (m & 0xf0);
  const binary = a + m + carry;
  if (lo > 9) {
    lo = (lo + 6) & 0x0f;
    hi += 0x10;
  }
  const n = hi;
  const v = ((~(a ^ m) & (a ^ hi)) >> 7) & 1;
  if (hi > 0x90) hi += 0x60;
  return pack((hi & 0xf0) | lo, hi > 0xff ? 1 : 0, v, n, binary);
}

/** A - M - (1 - C); flags always from the binary subtraction. */
export function sbc(a: number, m: number, carry: number, decimal: number): number {
  const borrow = 1 - carry;
  const s = a - m - borrow;
  const v = (((a ^ m) & (a ^ s)) >> 7) & 1;
  const c = s >= 0 ? 1 : 0;
  if (!decimal) return pack(s & 0xff, c, v, s, s);
  let lo = (a & 0x0f) - (m & 0x0f) - borrow;
  let hi = (a & 0xf0) - (m & 0xf0);
  if (lo < 0) {
    lo = (lo - 6) & 0x0f;
    hi -= 0x10;
  }
  if (hi < 0) hi -= 0x60;
  return pack((hi & 0xf0) | lo, c, v, s, s);
}

/**
 * ARR (6B) in decimal mode (NMOS, "No More Secrets"/Stella): BCD fix-up of each nibble of the rotated value
 * `rotated` of `anded` = A & M; returns the new A, with bit 8 set when the high nibble was fixed up (= C).
 * N, Z and V do not depend on the fix-up (the caller sets them).
 */
export function arrDecimal(anded: number, rotated: number): number {
  let a = rotated;
  if ((anded & 0x0f) + (anded & 0x01) > 0x05) a = (a & 0xf0) | ((a + 0x06) & 0x0f);
  if ((anded & 0xf0) + (anded & 0x10) > 0x50) return ((a + 0x60) & 0xff) | 0x100;
  return a;
}

/** The status register NV-BDIZC from the lazy flags (N = bit 7 of `n`, Z = low byte of `z` is 0); bits 5, 4 set. */
export function statusByte(n: number, v: number, d: number, i: number, z: number, c: number): number {
  return (n & 0x80) | (v << 6) | 0x30 | (d << 3) | (i << 2) | ((z & 0xff) === 0 ? 2 : 0) | c;
}
