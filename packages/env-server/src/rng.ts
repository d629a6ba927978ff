/**
 * Seedable pseudo-random generator whose whole state is four 32-bit words, so envs can put it in snapshots.
 *
 * Algorithm: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/), 128-bit state, period 2^128 − 1.
 * Seeding: the seed (an integer in [0, 2^53)) is split into two 32-bit halves that feed a splitmix32-style
 * hash, which fills the four state words. Streams differ from numpy's PCG64: vinegym cannot match Gymnasium's
 * random draws bit for bit, only its distributions.
 */
import { randomBytes } from 'node:crypto';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** One splitmix32 round: advances `x` by the golden-ratio increment and returns a well-mixed 32-bit word. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  /** The generator state; exposed read-only through `getState` for snapshots. */
  private readonly s = new Uint32Array(4);

  constructor(seed: number) {
    this.seed(seed);
  }

  /** Re-seeds in place. `seed` must be a non-negative safe integer. */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let x = splitmix32(lo ^ 0x6a09e667);
    x = splitmix32(x ^ hi);
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x + i);
      this.s[i] = x;
    }
    // The all-zero state is the one fixed point of xoshiro; splitmix output makes it practically impossible.
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** Next raw 32-bit output as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (two outputs). */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** Uniform double in [low, high), computed as numpy does: low + (high − low) · u. */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, n) for 0 < n ≤ 2^32, without modulo bias (rejection sampling). */
  integer(n: number): number {
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** The state as 16 bytes (four little-endian uint32 words). */
  getState(): Uint8Array {
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 4; i++) view.setUint32(i * 4, this.s[i], true);
    return out;
  }

  setState(bytes: Uint8Array): void {
    if (bytes.byteLength !== 16) throw new RangeError(`RNG state must be 16 bytes, got ${bytes.byteLength}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
    for (let i = 0; i < 4; i++) this.s[i] = view.getUint32(i * 4, true);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed drawn from the OS entropy source, for envs reset without a seed and without an RNG yet. */
export function randomSeed(): number {
  const bytes = randomBytes(8);
  return (bytes.readUInt32LE(0) & 0x1fffff) * TWO_POW_32 + bytes.readUInt32LE(4);
}
