import type { NoiseSource } from '@vinegym/rng';

/**
 * A NoiseSource that gives each row of a batched policy forward its own generator. Policies draw noise in row
 * order (`drawsPerRow` numbers per row), so row r always consumes rngs[r]: the vine's K rollouts from one state
 * can then share a random number sequence (common random numbers) while sitting in different env slots.
 * Use one RowNoise per batched forward; the row generators carry on across forwards.
 */
export class RowNoise implements NoiseSource {
  private draws = 0;

  constructor(
    private readonly rows: NoiseSource[],
    private readonly drawsPerRow: number,
  ) {}

  uniform(): number {
    return this.current().uniform();
  }

  normal(): number {
    return this.current().normal();
  }

  private current(): NoiseSource {
    const row = Math.floor(this.draws++ / this.drawsPerRow);
    if (row >= this.rows.length) throw new RangeError(`noise requested for row ${row} of ${this.rows.length}`);
    return this.rows[row];
  }
}
