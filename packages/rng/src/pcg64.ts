/**
 * PCG64 (O'Neill's PCG XSL RR 128/64), seeded through NumPy's SeedSequence the way `numpy.random.PCG64(seed)`
 * does, so its 64-bit outputs equal NumPy's for the same integer seed. Gymnasium's `np_random` is a NumPy
 * Generator over this bit generator; `NumpyGenerator` turns the outputs into NumPy's doubles, normals and integers.
 *
 * 128-bit arithmetic is done with BigInt: envs draw a handful of numbers per reset, so clarity wins over speed.
 */
import { seedSequenceState } from './seed-sequence.js';

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
/** PCG's default 128-bit LCG multiplier. */
const MULTIPLIER = (2549297995355413924n << 64n) | 4865540595714422341n;
/** Bytes of `getState()`: state and increment (16 bytes each), the buffered 32-bit half and its flag. */
export const PCG64_STATE_BYTES = 40;

function readU128(view: DataView, offset: number): bigint {
  return (view.getBigUint64(offset + 8, true) << 64n) | view.getBigUint64(offset, true);
}

function writeU128(view: DataView, offset: number, value: bigint): void {
  view.setBigUint64(offset, value & MASK64, true);
  view.setBigUint64(offset + 8, value >> 64n, true);
}

export class Pcg64 {
  private state = 0n;
  private increment = 1n;
  /** NumPy's PCG64 hands out 64-bit outputs in two 32-bit halves for 32-bit draws: the upper half waits here. */
  private hasUint32 = false;
  private bufferedUint32 = 0;

  /** `seed`: a non-negative integer, as `numpy.random.PCG64(seed)` takes it. */
  constructor(seed: number | bigint) {
    this.seed(seed);
  }

  /** Re-seeds in place: `SeedSequence(seed).generate_state(4, uint64)` gives the initial state and stream. */
  seed(seed: number | bigint): void {
    if (typeof seed === 'number' && (!Number.isSafeInteger(seed) || seed < 0)) {
      throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    }
    if (typeof seed === 'bigint' && seed < 0n) throw new RangeError(`seed must be non-negative, got ${seed}`);
    const words = seedSequenceState(BigInt(seed), 8).map(BigInt);
    const u64 = (i: number): bigint => words[2 * i] | (words[2 * i + 1] << 32n);
    const initState = (u64(0) << 64n) | u64(1);
    const initSequence = (u64(2) << 64n) | u64(3);
    // PCG's srandom: zero state, odd increment from the sequence, step, add the initial state, step.
    this.state = 0n;
    this.increment = ((initSequence << 1n) | 1n) & MASK128;
    this.step();
    this.state = (this.state + initState) & MASK128;
    this.step();
    this.hasUint32 = false;
    this.bufferedUint32 = 0;
  }

  private step(): void {
    this.state = (this.state * MULTIPLIER + this.increment) & MASK128;
  }

  /** Next 64-bit output (advance, then XOR the halves and rotate right by the top 6 bits). */
  nextUint64(): bigint {
    this.step();
    const folded = ((this.state >> 64n) ^ this.state) & MASK64;
    const rotation = this.state >> 122n;
    return ((folded >> rotation) | (folded << ((64n - rotation) & 63n))) & MASK64;
  }

  /** Next 32-bit output: the low half of a fresh 64-bit output, then its high half (NumPy's buffering). */
  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.bufferedUint32;
    }
    const next = this.nextUint64();
    this.hasUint32 = true;
    this.bufferedUint32 = Number(next >> 32n);
    return Number(next & 0xffffffffn);
  }

  /** NumPy's `next_double`: the top 53 bits of a 64-bit output, scaled into [0, 1). */
  nextDouble(): number {
    return Number(this.nextUint64() >> 11n) / 9007199254740992;
  }

  /**
   * The complete state as 40 bytes, little-endian: u128 state, u128 increment, u32 buffered half, u8 flag
   * (1 = a buffered half is waiting), 3 zero bytes.
   */
  getState(): Uint8Array {
    const bytes = new Uint8Array(PCG64_STATE_BYTES);
    const view = new DataView(bytes.buffer);
    writeU128(view, 0, this.state);
    writeU128(view, 16, this.increment);
    view.setUint32(32, this.bufferedUint32, true);
    view.setUint8(36, this.hasUint32 ? 1 : 0);
    return bytes;
  }

  setState(bytes: Uint8Array): void {
    if (bytes.byteLength !== PCG64_STATE_BYTES)
      throw new RangeError(`PCG64 state must be ${PCG64_STATE_BYTES} bytes, got ${bytes.byteLength}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const increment = readU128(view, 16);
    if ((increment & 1n) === 0n) throw new RangeError('PCG64 state: the increment must be odd');
    this.state = readU128(view, 0);
    this.increment = increment;
    this.bufferedUint32 = view.getUint32(32, true);
    this.hasUint32 = view.getUint8(36) !== 0;
  }

  /** NumPy's `bit_generator.state` values, for comparisons with Python. */
  numpyState(): { state: bigint; inc: bigint; has_uint32: number; uinteger: number } {
    return {
      state: this.state,
      inc: this.increment,
      has_uint32: this.hasUint32 ? 1 : 0,
      uinteger: this.bufferedUint32,
    };
  }
}
