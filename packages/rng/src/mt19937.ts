/**
 * MT19937 (32-bit Mersenne Twister), bit-identical to C++ std::mt19937. ALE's emulator ("system") RNG and its
 * environment RNG (sticky actions) are std::mt19937 instances, so reproducing ALE's random RAM fill, RIOT timer start
 * value and sticky-action draws needs the same generator.
 */
const N = 624;
const M = 397;

export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  seed(value: number): void {
    const mt = this.mt;
    mt[0] = value >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  /** Next 32-bit unsigned value (std::mt19937::operator()). */
  next(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
        let v = mt[(k + M) % N]! ^ (y >>> 1);
        if (y & 1) v ^= 0x9908b0df;
        mt[k] = v >>> 0;
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** ALE's Random::nextDouble(): next() / 2^32. */
  nextDouble(): number {
    return this.next() / 4294967296;
  }

  saveState(): Uint8Array {
    const out = new Uint8Array(N * 4 + 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < N; i++) view.setUint32(i * 4, this.mt[i]!, true);
    view.setUint32(N * 4, this.index, true);
    return out;
  }

  loadState(state: Uint8Array): void {
    if (state.length !== N * 4 + 4) throw new Error('Mt19937.loadState: bad length');
    const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
    for (let i = 0; i < N; i++) this.mt[i] = view.getUint32(i * 4, true);
    this.index = view.getUint32(N * 4, true);
  }
}
