/**
 * The agent's pseudo-random generator (action noise, minibatch order, network init; kept in checkpoints), also
 * offered to plug-in envs for their own draws.
 *
 * Algorithm: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/), 128-bit state, period 2^128 − 1.
 * Seeding: the seed (an integer in [0, 2^53)) is split into two 32-bit halves that feed a splitmix32-style hash,
 * which fills the four state words. The built-in envs draw with NumpyGenerator instead, which matches Gymnasium's
 * np_random bit for bit.
 *
 * Normals come from Box–Muller, the second variate of each pair cached; the cache is part of the JSON state
 * (`state()`), not of the 16-byte generator state (`getState()`).
 */
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** The complete state as JSON-friendly values (checkpoints). */
export interface RngState {
  /** The four xoshiro128** state words, unsigned. */
  words: [number, number, number, number];
  /** Cached second Box–Muller variate, or null. */
  spareNormal: number | null;
}

/** What policies need to draw action noise; `Rng` implements it, tests may pass fixed sequences. */
export interface NoiseSource {
  uniform(): number;
  normal(): number;
}

/** One splitmix32 round: advances `x` by the golden-ratio increment and returns a well-mixed 32-bit word. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Rng implements NoiseSource {
  private readonly s = new Uint32Array(4);
  private spareNormal: number | null = null;

  /** `seed`: a non-negative safe integer. */
  constructor(seed: number) {
    this.seed(seed);
  }

  /** A generator continuing from `state` (the JSON state of `state()`, or the 16 bytes of `getState()`). */
  static fromState(state: RngState | Uint8Array): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** Re-seeds in place (and drops a cached normal). `seed` must be a non-negative safe integer. */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
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
    this.spareNormal = null;
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

  /** Uniform double in [low, high), computed as numpy does: low + (high − low) · u. Default [0, 1): `random()`. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, n) for an integer 1 ≤ n ≤ 2^32, without modulo bias (rejection sampling). */
  integer(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32)
      throw new RangeError(`integer(n) needs an integer n in [1, 2^32], got ${n}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal variate (Box–Muller; the second variate of each pair is cached for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    // 1 − u lies in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.random()));
    const angle = 2 * Math.PI * this.random();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** A uniformly random order of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  /**
   * The generator state as 16 bytes (four little-endian uint32 words), the form env snapshots store. It does not
   * hold a cached normal, so it throws while one is cached: use `state()` for generators that draw normals.
   */
  getState(): Uint8Array {
    if (this.spareNormal !== null)
      throw new Error('a normal variate is cached, which the 16-byte state cannot hold: use state()');
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 4; i++) view.setUint32(i * 4, this.s[i], true);
    return out;
  }

  /** The complete state, JSON-friendly (checkpoints). */
  state(): RngState {
    return { words: [this.s[0], this.s[1], this.s[2], this.s[3]], spareNormal: this.spareNormal };
  }

  /** Continues from a state of `state()` or `getState()` (bytes: no cached normal). */
  setState(state: RngState | Uint8Array): void {
    if (state instanceof Uint8Array) {
      if (state.byteLength !== 16) throw new RangeError(`RNG state must be 16 bytes, got ${state.byteLength}`);
      const view = new DataView(state.buffer, state.byteOffset, 16);
      for (let i = 0; i < 4; i++) this.s[i] = view.getUint32(i * 4, true);
      this.spareNormal = null;
      return;
    }
    if (state.words.every((w) => w >>> 0 === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    state.words.forEach((w, i) => (this.s[i] = w >>> 0));
    this.spareNormal = state.spareNormal;
  }

  clone(): Rng {
    return Rng.fromState(this.state());
  }
}

/** A seed drawn from the OS entropy source, for envs reset without a seed and without an RNG yet. */
export function randomSeed(): number {
  // Web Crypto's global, not node:crypto: importing that module would cost every importer of this package ~10 ms.
  const words = globalThis.crypto.getRandomValues(new Uint32Array(2));
  return (words[0] & 0x1fffff) * TWO_POW_32 + words[1];
}
