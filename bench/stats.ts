/** Statistics the benchmarks share. */

/** The middle value of `values` (the upper one of the two middles for an even count); `values` is not reordered. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
