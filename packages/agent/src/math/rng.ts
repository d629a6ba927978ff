/**
 * Seedable, serializable PRNG for policy noise. All action sampling draws from one of these (never tf.random),
 * so a run is reproducible from its seed, and the vine procedure can replay the same noise in each of the K
 * rollouts from a state (common random numbers, paper §4.2) by copying `state()` into a second generator.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 128-bit state, period 2^128 − 1, seeded through splitmix32.
 * Normals: Box–Muller; the second variate of each pair is cached and is part of the serialized state.
 */

export interface RngState {
  words: [number, number, number, number];
  /** Cached second Box–Muller variate, or null. */
  spareNormal: number | null;
}

/** What policies need to draw action noise; `Rng` implements it, tests may pass fixed sequences. */
export interface NoiseSource {
  uniform(): number;
  normal(): number;
}

const TWO_POW_MINUS_53 = 1 / 9007199254740992;

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
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    let x = splitmix32((seed >>> 0) ^ 0x243f6a88);
    x = splitmix32(x ^ (Math.floor(seed / 4294967296) >>> 0));
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x + i);
      this.s[i] = x;
    }
    // An all-zero state is the one fixed point of xoshiro; splitmix makes it practically impossible, but be sure.
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
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

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_MINUS_53;
  }

  /** Standard normal variate (Box–Muller, pairs cached). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    // 1 − u lies in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling on 32-bit outputs). n must be in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`int(n) needs an integer n in [1, 2^32], got ${n}`);
    const limit = Math.floor(4294967296 / n) * n;
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Fisher–Yates shuffle of 0..n-1 (used for minibatch order). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  state(): RngState {
    return { words: [this.s[0], this.s[1], this.s[2], this.s[3]], spareNormal: this.spareNormal };
  }

  setState(state: RngState): void {
    for (let i = 0; i < 4; i++) this.s[i] = state.words[i] >>> 0;
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) throw new RangeError('xoshiro128** state must not be all zero');
    this.spareNormal = state.spareNormal;
  }

  clone(): Rng {
    return Rng.fromState(this.state());
  }
}
