/**
 * ADC/SBC (binary and decimal mode) and ARR's decimal fix-up as pure functions, shared by ADC/SBC and the
 * undocumented RRA/ISB. Results are packed into one small integer so the interpreter can keep its flags in locals:
 * bits 0-7 = A, bit 8 = C, bit 9 = V, bit 10 = N, bit 11 = Z.
 *
 * Decimal mode follows the CPU of ALE's Stella (M6502.m4, 2005), not the NMOS chip: the operands are read as two
 * decimal digits each (a digit A-F counts as 10-15, so $0D is 13), added or subtracted as numbers, and the result is
 * written back as two digits; N and Z come from that result. For valid BCD the result and C equal the chip's, but
 * not for invalid digits, and N/V/Z differ: games that add invalid BCD (Defender adds $0D to a frame counter)
 * take other branches than on the chip, and ale-py's frames are the reference.
 *  - ADC: sum = value(A) + value(M) + C; C = sum > 99; A = digits(sum & $FF);
 *    V = sign(A) differs from sign of both the old A and M.
 *  - SBC: diff = value(A) - value(M) - borrow, plus 100 when negative; A = digits(diff); C as in binary mode
 *    (A >= M + borrow); V as for ADC. A diff still negative after adding 100 (operands above $99) indexes before Stella's
 *    digits table, into the value table: A = value(256 + diff).
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

/**
 * Stella's two BCD tables in one array, in the same order, so that a negative SBC index falls into the first:
 * BCD[i] = value of byte i read as two decimal digits (0-165); BCD[DIGITS + n] = n (0-255) as two BCD digits, mod 100.
 */
const DIGITS = 256;
const BCD = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  BCD[i] = (i >> 4) * 10 + (i & 0x0f);
  BCD[DIGITS + i] = (Math.floor((i % 100) / 10) << 4) | (i % 10);
}

/** V in decimal mode: the result's sign differs from both the old A's and the operand's. */
function decimalOverflow(a: number, m: number, r: number): number {
  return (((a ^ r) & (r ^ m)) >> 7) & 1;
}

/** A + M + C; `decimal` = the D flag. */
export function adc(a: number, m: number, carry: number, decimal: number): number {
  if (!decimal) {
    const s = a + m + carry;
    return pack(s & 0xff, s >> 8, ((~(a ^ m) & (a ^ s)) >> 7) & 1, s, s);
  }
  const sum = BCD[a]! + BCD[m]! + carry;
  const r = BCD[DIGITS + (sum & 0xff)]!;
  return pack(r, sum > 99 ? 1 : 0, decimalOverflow(a, m, r), r, r);
}

/** A - M - (1 - C); `decimal` = the D flag. */
export function sbc(a: number, m: number, carry: number, decimal: number): number {
  const borrow = 1 - carry;
  const s = a - m - borrow;
  const v = (((a ^ m) & (a ^ s)) >> 7) & 1;
  const c = s >= 0 ? 1 : 0;
  if (!decimal) return pack(s & 0xff, c, v, s, s);
  let diff = BCD[a]! - BCD[m]! - borrow;
  if (diff < 0) diff += 100;
  const r = BCD[DIGITS + diff]!;
  return pack(r, c, decimalOverflow(a, m, r), r, r);
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
