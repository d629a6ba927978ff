/**
 * Conjugate gradient for A x = b with A symmetric positive definite, using A only through products v -> A v
 * (paper Appendix D: the Fisher matrix is never formed). Runs in float64 on plain arrays, so the iteration
 * itself is deterministic and adds no float32 round-off on top of the Fisher-vector products.
 */

export interface ConjugateGradientOptions {
  /** Maximum iterations; the paper uses a truncated solve (10 iterations). */
  iterations?: number;
  /** Stop when the squared residual norm rᵀr falls below this. */
  residualTolerance?: number;
}

export interface ConjugateGradientResult {
  x: Float64Array;
  iterations: number;
  /** Squared norm of the final residual b − A x (as tracked by the recurrence). */
  residualNormSquared: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function conjugateGradient(
  matrixVectorProduct: (v: Float64Array) => Float64Array,
  b: Float64Array,
  { iterations = 10, residualTolerance = 1e-10 }: ConjugateGradientOptions = {},
): ConjugateGradientResult {
  const x = new Float64Array(b.length);
  const residual = Float64Array.from(b); // r = b − A·0
  const direction = Float64Array.from(b);
  let residualNormSquared = dot(residual, residual);
  let done = 0;
  while (done < iterations && residualNormSquared >= residualTolerance) {
    const aDirection = matrixVectorProduct(direction);
    const stepLength = residualNormSquared / dot(direction, aDirection);
    for (let i = 0; i < x.length; i++) {
      x[i] += stepLength * direction[i];
      residual[i] -= stepLength * aDirection[i];
    }
    const newResidualNormSquared = dot(residual, residual);
    const beta = newResidualNormSquared / residualNormSquared;
    for (let i = 0; i < direction.length; i++) direction[i] = residual[i] + beta * direction[i];
    residualNormSquared = newResidualNormSquared;
    done++;
  }
  return { x, iterations: done, residualNormSquared };
}
