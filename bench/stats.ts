/** Statistics the benchmarks share. */

/** The middle value of `values` (the upper one of the two middles for an even count); `values` is not reordered. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/**
 * Uniform draws in [0, 1) from the 32-bit state `seed` (mulberry32: small, fast, and good enough for the benchmarks'
 * fixed inputs and resampling; not for anything statistical beyond that).
 */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A bootstrap interval of the median of `values` (percentile method, `resamples` draws with replacement from a
 * fixed-seed generator, so the same values give the same interval): [low, high] at the given two-sided level.
 */
export function medianInterval(values: number[], level = 0.95, resamples = 2000): [number, number] {
  const random = mulberry32(0x9e3779b9);
  const medians = Array.from({ length: resamples }, () =>
    median(Array.from({ length: values.length }, () => values[Math.floor(random() * values.length)])),
  ).sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return [medians[Math.floor(tail * resamples)], medians[Math.min(resamples - 1, Math.floor((1 - tail) * resamples))]];
}
