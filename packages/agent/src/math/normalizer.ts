/**
 * Running mean and variance of observations, per feature, in float64. Batches are merged with the parallel
 * algorithm of Chan et al. (Welford generalized to batches), so updating with one batch or with its pieces gives
 * the same statistics up to round-off, and two normalizers (e.g. from worker processes) can be merged.
 * Variance is the population variance (numpy's default ddof = 0).
 */

export interface NormalizerState {
  count: number;
  mean: number[];
  variance: number[];
}

export interface ObservationNormalizerOptions {
  /** Normalized values are clipped to [−clip, clip]; Infinity disables clipping. */
  clip?: number;
  /** Added to the variance before the square root, so constant features do not divide by zero. */
  epsilon?: number;
}

export class ObservationNormalizer {
  readonly size: number;
  readonly clip: number;
  readonly epsilon: number;
  count = 0;
  readonly mean: Float64Array;
  /** Sum of squared deviations from the mean (M2); variance = m2 / count. */
  private readonly m2: Float64Array;

  constructor(size: number, { clip = 10, epsilon = 1e-8 }: ObservationNormalizerOptions = {}) {
    this.size = size;
    this.clip = clip;
    this.epsilon = epsilon;
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  get variance(): Float64Array {
    return this.m2.map((m2) => (this.count > 0 ? m2 / this.count : 1));
  }

  /** Adds a batch given row-major as `batchSize × size` values. */
  update(batch: ArrayLike<number>): void {
    const batchCount = batch.length / this.size;
    if (!Number.isInteger(batchCount))
      throw new RangeError(`batch length ${batch.length} is not a multiple of ${this.size}`);
    if (batchCount === 0) return;
    const batchMean = new Float64Array(this.size);
    const batchM2 = new Float64Array(this.size);
    for (let r = 0; r < batchCount; r++) for (let j = 0; j < this.size; j++) batchMean[j] += batch[r * this.size + j];
    for (let j = 0; j < this.size; j++) batchMean[j] /= batchCount;
    for (let r = 0; r < batchCount; r++) {
      for (let j = 0; j < this.size; j++) batchM2[j] += (batch[r * this.size + j] - batchMean[j]) ** 2;
    }
    this.mergeMoments(batchCount, batchMean, batchM2);
  }

  /** Folds another normalizer's statistics into this one. */
  merge(other: ObservationNormalizer): void {
    if (other.size !== this.size)
      throw new RangeError(`cannot merge normalizers of sizes ${this.size} and ${other.size}`);
    this.mergeMoments(other.count, other.mean, other.m2);
  }

  private mergeMoments(otherCount: number, otherMean: ArrayLike<number>, otherM2: ArrayLike<number>): void {
    if (otherCount === 0) return;
    const total = this.count + otherCount;
    for (let j = 0; j < this.size; j++) {
      const delta = otherMean[j] - this.mean[j];
      this.mean[j] += (delta * otherCount) / total;
      this.m2[j] += otherM2[j] + (delta * delta * this.count * otherCount) / total;
    }
    this.count = total;
  }

  /** (x − mean) / sqrt(var + ε), clipped; `batch` is row-major `batchSize × size`. */
  normalize(batch: ArrayLike<number>): Float32Array {
    const out = new Float32Array(batch.length);
    const variance = this.variance;
    const scale = variance.map((v) => 1 / Math.sqrt(v + this.epsilon));
    for (let i = 0; i < batch.length; i++) {
      const j = i % this.size;
      const z = (batch[i] - this.mean[j]) * scale[j];
      out[i] = Math.min(this.clip, Math.max(-this.clip, z));
    }
    return out;
  }

  serialize(): NormalizerState {
    return { count: this.count, mean: Array.from(this.mean), variance: Array.from(this.variance) };
  }

  restore(state: NormalizerState): void {
    if (state.mean.length !== this.size || state.variance.length !== this.size) {
      throw new RangeError(`normalizer state has size ${state.mean.length}, expected ${this.size}`);
    }
    this.count = state.count;
    this.mean.set(state.mean);
    for (let j = 0; j < this.size; j++) this.m2[j] = state.variance[j] * state.count;
  }
}
