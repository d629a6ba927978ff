/**
 * NumPy's SeedSequence (numpy/random/bit_generator.pyx) for an integer seed: `seedSequenceState(seed, n)` is
 * `SeedSequence(seed).generate_state(n)` (n uint32 words). ale-py's env takes [numpy seed, ALE seed] from
 * `generate_state(2)`; PCG64 takes its 128-bit state and stream from `generate_state(4, uint64)` (8 words).
 */
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;
const POOL_SIZE = 4;

/** Little-endian 32-bit words of a non-negative integer (0 -> [0]). */
function intToWords(seed: bigint): number[] {
  if (seed === 0n) return [0];
  const words: number[] = [];
  let v = seed;
  while (v > 0n) {
    words.push(Number(v & 0xffffffffn));
    v >>= 32n;
  }
  return words;
}

export function seedSequenceState(seed: number | bigint, nWords: number): number[] {
  const entropy = intToWords(BigInt(seed));
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    let v = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    v = (v ^ (v >>> XSHIFT)) >>> 0;
    return v;
  };
  const mix = (x: number, y: number): number => {
    let r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    r = (r ^ (r >>> XSHIFT)) >>> 0;
    return r;
  };
  const pool = new Array<number>(POOL_SIZE).fill(0);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i]! : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst]!, hashmix(pool[src]!));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst]!, hashmix(entropy[src]!));
  }
  let hc = INIT_B;
  const out: number[] = [];
  for (let i = 0; i < nWords; i++) {
    let v = pool[i % POOL_SIZE]!;
    v = (v ^ hc) >>> 0;
    hc = Math.imul(hc, MULT_B) >>> 0;
    v = Math.imul(v, hc) >>> 0;
    v = (v ^ (v >>> XSHIFT)) >>> 0;
    out.push(v);
  }
  return out;
}
