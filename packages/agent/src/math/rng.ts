/**
 * Seedable, serializable PRNG for policy noise. All action sampling draws from one of these (never tf.random),
 * so a run is reproducible from its seed, and the vine procedure can replay the same noise in each of the K
 * rollouts from a state (common random numbers, paper §4.2) by copying `state()` into a second generator.
 *
 * The uniform stream is the env server's xoshiro128** generator (one implementation for envs and agent); this
 * class adds normals (Box–Muller, the second variate of each pair cached and part of the state), shuffles and a
 * JSON-friendly state for checkpoints.
 */
import { Rng as Xoshiro128 } from '@vinegym/env-server';

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

export class Rng implements NoiseSource {
  private readonly generator: Xoshiro128;
  private spareNormal: number | null = null;

  /** `seed`: a non-negative safe integer. */
  constructor(seed: number) {
    this.generator = new Xoshiro128(seed);
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** Next raw 32-bit output as an unsigned integer. */
  nextUint32(): number {
    return this.generator.nextUint32();
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    return this.generator.random();
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

  /** Uniform integer in [0, n), unbiased. n must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`int(n) needs an integer n in [1, 2^32], got ${n}`);
    return this.generator.integer(n);
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
    const view = new DataView(this.generator.getState().buffer);
    const words = [0, 1, 2, 3].map((i) => view.getUint32(i * 4, true)) as RngState['words'];
    return { words, spareNormal: this.spareNormal };
  }

  setState(state: RngState): void {
    if (state.words.every((w) => w >>> 0 === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    state.words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
    this.generator.setState(bytes);
    this.spareNormal = state.spareNormal;
  }

  clone(): Rng {
    return Rng.fromState(this.state());
  }
}
