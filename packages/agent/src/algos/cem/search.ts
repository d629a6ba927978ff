/**
 * The cross-entropy method over the flat policy parameter vector θ, with the extra noise of Szita & Lőrincz
 * (2006, "noisy CEM"), as the derivative-free baseline of the paper's §6.1. Black box: it only sees the score
 * (mean episode return) of each candidate θ_i.
 *
 *   θ_i = μ + sqrt(σ² + Z_t²) ⊙ ε_i,  ε_i ~ N(0, I),  i = 1..n                  sampleCandidates
 *   Z_t² = Z₀² · max(1 − t / T, 0)                                              extraNoiseVariance
 *   E = the ⌈ρ n⌉ candidates with the highest scores                            selectElites
 *   μ ← mean_{i∈E} θ_i,   σ² ← var_{i∈E} θ_i  (per coordinate)                   fitSearchDistribution
 */
import type { NoiseSource } from '@vinegym/rng';
import type { CemConfig } from './config.js';

/** The diagonal Gaussian N(μ, diag σ²) over θ that CEM adapts. */
export interface SearchDistribution {
  mean: Float64Array;
  std: Float64Array;
  /** t: completed CEM iterations (drives the extra-noise decay). */
  generation: number;
}

export function initialSearchDistribution(theta: ArrayLike<number>, initialStd: number): SearchDistribution {
  return { mean: Float64Array.from(theta), std: new Float64Array(theta.length).fill(initialStd), generation: 0 };
}

/** Z_t²: the extra variance at generation t, decaying linearly from Z₀² to 0 over T generations. */
export function extraNoiseVariance(
  config: Pick<CemConfig, 'extraStd' | 'extraDecayIterations'>,
  generation: number,
): number {
  return config.extraStd ** 2 * Math.max(1 - generation / config.extraDecayIterations, 0);
}

/** n candidates θ_i = μ + sqrt(σ² + Z_t²) ⊙ ε_i, noise drawn candidate by candidate. */
export function sampleCandidates(
  distribution: SearchDistribution,
  config: Pick<CemConfig, 'populationSize' | 'extraStd' | 'extraDecayIterations'>,
  noise: NoiseSource,
): Float64Array[] {
  const extra = extraNoiseVariance(config, distribution.generation);
  const samplingStd = distribution.std.map((s) => Math.sqrt(s * s + extra));
  return Array.from({ length: config.populationSize }, () =>
    distribution.mean.map((m, j) => m + samplingStd[j] * noise.normal()),
  );
}

/** Indices of the ⌈ρ n⌉ best scores, best first (ties keep the lower index first). */
export function selectElites(scores: readonly number[], eliteFraction: number): number[] {
  const count = Math.max(1, Math.ceil(eliteFraction * scores.length));
  return scores
    .map((score, index) => ({ score: Number.isNaN(score) ? -Infinity : score, index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .map((entry) => entry.index);
}

/** Maximum-likelihood diagonal Gaussian of the elites: their mean and (population) standard deviation. */
export function fitSearchDistribution(elites: readonly Float64Array[], generation: number): SearchDistribution {
  const dim = elites[0].length;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (const theta of elites) for (let j = 0; j < dim; j++) mean[j] += theta[j] / elites.length;
  for (const theta of elites) for (let j = 0; j < dim; j++) std[j] += (theta[j] - mean[j]) ** 2 / elites.length;
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]);
  return { mean, std, generation };
}

/** One CEM iteration given the candidates and their scores: the next search distribution. */
export function cemUpdate(
  distribution: SearchDistribution,
  candidates: readonly Float64Array[],
  scores: readonly number[],
  eliteFraction: number,
): { distribution: SearchDistribution; elites: number[] } {
  const elites = selectElites(scores, eliteFraction);
  return {
    distribution: fitSearchDistribution(
      elites.map((i) => candidates[i]),
      distribution.generation + 1,
    ),
    elites,
  };
}
