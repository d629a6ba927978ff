/**
 * NumPy's `Generator` over PCG64, as Gymnasium's `np_random` is: `new NumpyGenerator(seed)` draws what
 * `np.random.default_rng(seed)` (= Gymnasium's `seeding.np_random(seed)`) draws, bit for bit, for the methods
 * below — the ones Gymnasium's envs use in reset and its spaces use in `sample()`. The algorithms are NumPy's
 * (uniform doubles from the top 53 bits, ziggurat normals and exponentials, Lemire's bounded integers with
 * NumPy's 32-bit and 8-bit buffering); `numpy-generator.test.ts` compares every method with NumPy.
 */
import { Pcg64, PCG64_STATE_BYTES } from './pcg64.js';
import { EXPONENTIAL_F, EXPONENTIAL_K, EXPONENTIAL_W, NORMAL_F, NORMAL_K, NORMAL_W } from './ziggurat-tables.js';

/** Where the normal ziggurat's tail starts, and its inverse (NumPy's ziggurat_nor_r / _inv_r). */
const NORMAL_R = 3.6541528853610088;
const NORMAL_INV_R = 0.27366123732975828;
/** Where the exponential ziggurat's tail starts (ziggurat_exp_r). */
// NumPy writes 7.6971174701310497; this is the same double, spelled without digits a double cannot hold.
const EXPONENTIAL_R = 7.69711747013105;
const MASK52 = (1n << 52n) - 1n;
const UINT32_MAX = 0xffffffff;

export const NUMPY_GENERATOR_STATE_BYTES = PCG64_STATE_BYTES;

export class NumpyGenerator {
  readonly bitGenerator: Pcg64;

  /** `seed`: a non-negative integer (`np.random.default_rng(seed)`). */
  constructor(seed: number | bigint) {
    this.bitGenerator = new Pcg64(seed);
  }

  /** A generator continuing from `getState()` bytes. */
  static fromState(state: Uint8Array): NumpyGenerator {
    const generator = new NumpyGenerator(0);
    generator.setState(state);
    return generator;
  }

  seed(seed: number | bigint): void {
    this.bitGenerator.seed(seed);
  }

  /** `Generator.random()`: a double in [0, 1). */
  random(): number {
    return this.bitGenerator.nextDouble();
  }

  /** `Generator.uniform(low, high)`: low + (high − low)·u, with NumPy's check that the range is finite. */
  uniform(low: number, high: number): number {
    const range = high - low;
    if (!Number.isFinite(range)) throw new RangeError(`uniform: range ${low}..${high} exceeds the valid bounds`);
    return low + range * this.bitGenerator.nextDouble();
  }

  /** `Generator.standard_normal()` (ziggurat). */
  standardNormal(): number {
    const bits = this.bitGenerator;
    for (;;) {
      const draw = bits.nextUint64();
      const layer = Number(draw & 0xffn);
      const rest = draw >> 8n;
      const negative = (rest & 1n) === 1n;
      // 52 bits: exact as a double, like NumPy's conversion of its uint64.
      const magnitude = Number((rest >> 1n) & MASK52);
      const x = negative ? -(magnitude * NORMAL_W[layer]) : magnitude * NORMAL_W[layer];
      if (magnitude < NORMAL_K[layer]) return x;
      if (layer === 0) {
        for (;;) {
          // 1 − U keeps the log finite.
          const xx = -NORMAL_INV_R * Math.log1p(-bits.nextDouble());
          const yy = -Math.log1p(-bits.nextDouble());
          if (yy + yy > xx * xx) return ((rest >> 9n) & 1n) === 1n ? -(NORMAL_R + xx) : NORMAL_R + xx;
        }
      }
      if ((NORMAL_F[layer - 1] - NORMAL_F[layer]) * bits.nextDouble() + NORMAL_F[layer] < Math.exp(-0.5 * x * x))
        return x;
    }
  }

  /** `Generator.normal(loc, scale)`. */
  normal(loc = 0, scale = 1): number {
    return loc + scale * this.standardNormal();
  }

  /** `Generator.standard_exponential()` (ziggurat). */
  standardExponential(): number {
    const bits = this.bitGenerator;
    for (;;) {
      const draw = bits.nextUint64() >> 3n;
      const layer = Number(draw & 0xffn);
      const magnitude = Number(draw >> 8n); // 53 bits: exact
      const x = magnitude * EXPONENTIAL_W[layer];
      if (magnitude < EXPONENTIAL_K[layer]) return x;
      if (layer === 0) return EXPONENTIAL_R - Math.log1p(-bits.nextDouble());
      if ((EXPONENTIAL_F[layer - 1] - EXPONENTIAL_F[layer]) * bits.nextDouble() + EXPONENTIAL_F[layer] < Math.exp(-x))
        return x;
    }
  }

  /** `Generator.exponential(scale)`. */
  exponential(scale = 1): number {
    return scale * this.standardExponential();
  }

  /**
   * `Generator.integers(low, high)` for int64 (the default dtype), high exclusive: `count` draws in one call, as
   * `integers(low, high, size=count)` makes them. Bounds must be integers with low < high, |bounds| < 2^63.
   */
  integers(low: bigint, high: bigint, count = 1): bigint[] {
    if (high <= low) throw new RangeError(`integers: low (${low}) >= high (${high})`);
    const range = high - 1n - low;
    const out: bigint[] = new Array(count);
    if (range === 0n) return out.fill(low);
    if (range <= BigInt(UINT32_MAX)) {
      const r = Number(range);
      for (let i = 0; i < count; i++)
        out[i] = low + BigInt(r === UINT32_MAX ? this.bitGenerator.nextUint32() : this.boundedUint32(r));
      return out;
    }
    for (let i = 0; i < count; i++) out[i] = low + this.boundedUint64(range);
    return out;
  }

  /**
   * `Generator.integers(low, high, size=count, dtype=int8 | uint8)`: the 8-bit path, which takes four draws
   * out of each 32-bit output. 0 ≤ high − low − 1 ≤ 255.
   */
  integers8(low: number, high: number, count: number): number[] {
    const range = high - 1 - low;
    if (!Number.isInteger(range) || range < 0 || range > 255)
      throw new RangeError('integers8: high − low must be in [1, 256]');
    const out: number[] = new Array(count);
    if (range === 0) return out.fill(low);
    let buffer = 0;
    let buffered = 0;
    const nextByte = (): number => {
      if (buffered === 0) {
        buffer = this.bitGenerator.nextUint32();
        buffered = 3;
      } else {
        buffer >>>= 8;
        buffered--;
      }
      return buffer & 0xff;
    };
    for (let i = 0; i < count; i++) {
      if (range === 255) {
        out[i] = low + nextByte();
        continue;
      }
      const exclusive = range + 1;
      let m = nextByte() * exclusive;
      if ((m & 0xff) < exclusive) {
        const threshold = (255 - range) % exclusive;
        while ((m & 0xff) < threshold) m = nextByte() * exclusive;
      }
      out[i] = low + (m >> 8);
    }
    return out;
  }

  /** Lemire's method on 32-bit draws, for a range below 2^32 − 1 (NumPy's bounded_lemire_uint32). */
  private boundedUint32(range: number): number {
    const exclusive = BigInt(range + 1);
    let m = BigInt(this.bitGenerator.nextUint32()) * exclusive;
    if (Number(m & 0xffffffffn) < range + 1) {
      const threshold = (UINT32_MAX - range) % (range + 1);
      while (Number(m & 0xffffffffn) < threshold) m = BigInt(this.bitGenerator.nextUint32()) * exclusive;
    }
    return Number(m >> 32n);
  }

  /** Lemire's method on 64-bit draws (NumPy's bounded_lemire_uint64); range ≥ 2^32 − 1. */
  private boundedUint64(range: bigint): bigint {
    const max = (1n << 64n) - 1n;
    if (range === max) return this.bitGenerator.nextUint64();
    const exclusive = range + 1n;
    let m = this.bitGenerator.nextUint64() * exclusive;
    if ((m & max) < exclusive) {
      const threshold = (max - range) % exclusive;
      while ((m & max) < threshold) m = this.bitGenerator.nextUint64() * exclusive;
    }
    return m >> 64n;
  }

  /** The complete state (40 bytes, see `Pcg64.getState`): env snapshots store it. */
  getState(): Uint8Array {
    return this.bitGenerator.getState();
  }

  setState(state: Uint8Array): void {
    this.bitGenerator.setState(state);
  }
}
