/**
 * L-BFGS (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Algorithms 7.4 and 7.5) on Float64Array, with a
 * line search satisfying the strong Wolfe conditions (Algorithms 3.5 and 3.6). Minimizes; to maximize f,
 * minimize −f. The callback returns the value and the gradient at x (e.g. computed with tfjs).
 *
 *   p_k = −H_k ∇f(x_k)                     two-loop recursion over the last m pairs (s_i, y_i)
 *   x_{k+1} = x_k + α_k p_k                 α_k: strong Wolfe line search
 *   s_k = x_{k+1} − x_k,  y_k = ∇f_{k+1} − ∇f_k,   H_k⁰ = (s_{k−1}ᵀy_{k−1} / y_{k−1}ᵀy_{k−1}) I
 */

export type ValueAndGradient = (x: Float64Array) => { value: number; gradient: Float64Array };

export interface LbfgsOptions {
  /** m: correction pairs kept. Default 10. */
  memory?: number;
  /** Outer iterations (line searches). Default 100. */
  maxIterations?: number;
  /** Stop when ‖∇f‖∞ ≤ this. Default 1e-10. */
  gradientTolerance?: number;
  /** Stop when |f_k − f_{k+1}| ≤ this · max(|f_k|, |f_{k+1}|, 1). Default 1e-15. */
  relativeValueTolerance?: number;
  /** Sufficient decrease constant c₁ (Armijo). Default 1e-4. */
  c1?: number;
  /** Curvature constant c₂ (strong Wolfe). Default 0.9. */
  c2?: number;
  /** Function evaluations per line search. Default 25. */
  maxLineSearchEvaluations?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  evaluations: number;
  reason: 'gradient' | 'value' | 'max-iterations' | 'line-search';
}

const DEFAULTS: Required<LbfgsOptions> = {
  memory: 10,
  maxIterations: 100,
  gradientTolerance: 1e-10,
  relativeValueTolerance: 1e-15,
  c1: 1e-4,
  c2: 0.9,
  maxLineSearchEvaluations: 25,
};

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function infinityNorm(a: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]));
  return max;
}

/** x + α p. */
function axpy(x: Float64Array, alpha: number, p: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * p[i];
  return out;
}

interface CorrectionPair {
  s: Float64Array;
  y: Float64Array;
  /** ρ = 1 / yᵀs */
  rho: number;
}

/** Algorithm 7.4: the search direction −H_k g from the stored pairs, oldest first, with H_k⁰ = γ I. */
export function twoLoopDirection(
  gradient: Float64Array,
  pairs: readonly CorrectionPair[],
  gamma: number,
): Float64Array {
  const q = Float64Array.from(gradient);
  const alphas = new Float64Array(pairs.length);
  for (let i = pairs.length - 1; i >= 0; i--) {
    const { s, y, rho } = pairs[i];
    alphas[i] = rho * dot(s, q);
    for (let j = 0; j < q.length; j++) q[j] -= alphas[i] * y[j];
  }
  for (let j = 0; j < q.length; j++) q[j] *= gamma;
  for (let i = 0; i < pairs.length; i++) {
    const { s, y, rho } = pairs[i];
    const beta = rho * dot(y, q);
    for (let j = 0; j < q.length; j++) q[j] += s[j] * (alphas[i] - beta);
  }
  return q.map((v) => -v);
}

/** One point of φ(α) = f(x + α p), with φ'(α) = ∇f(x + α p)ᵀ p. */
interface LinePoint {
  alpha: number;
  value: number;
  slope: number;
  x: Float64Array;
  gradient: Float64Array;
}

/**
 * Minimizer of the cubic through (a, φa, φ'a) and (b, φb, φ'b) (Nocedal & Wright eq. 3.59), kept at least 10% of
 * the interval away from its ends; bisection when the cubic has no usable minimizer.
 */
function cubicMinimizer(a: LinePoint, b: LinePoint): number {
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.alpha - b.alpha);
  const discriminant = d1 * d1 - a.slope * b.slope;
  const lo = Math.min(a.alpha, b.alpha);
  const hi = Math.max(a.alpha, b.alpha);
  const margin = 0.1 * (hi - lo);
  if (discriminant >= 0) {
    const d2 = Math.sign(b.alpha - a.alpha) * Math.sqrt(discriminant);
    const alpha = b.alpha - (b.alpha - a.alpha) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2));
    if (Number.isFinite(alpha) && alpha >= lo + margin && alpha <= hi - margin) return alpha;
  }
  return (lo + hi) / 2;
}

/**
 * Algorithms 3.5 + 3.6: a step α satisfying the strong Wolfe conditions
 *   φ(α) ≤ φ(0) + c₁ α φ'(0)   and   |φ'(α)| ≤ c₂ |φ'(0)|,
 * or null after `maxEvaluations` evaluations without one (the best sufficient-decrease point, if any, is returned).
 */
export function strongWolfeLineSearch(
  evaluate: (alpha: number) => LinePoint,
  start: LinePoint,
  initialAlpha: number,
  options: { c1: number; c2: number; maxEvaluations: number },
): { point: LinePoint | null; evaluations: number } {
  const { c1, c2, maxEvaluations } = options;
  let evaluations = 0;
  let best: LinePoint | null = null;
  const probe = (alpha: number): LinePoint => {
    evaluations++;
    const point = evaluate(alpha);
    const sufficient = point.value <= start.value + c1 * alpha * start.slope;
    if (sufficient && Number.isFinite(point.value) && (best === null || point.value < best.value)) best = point;
    return point;
  };
  const armijo = (p: LinePoint) => p.value <= start.value + c1 * p.alpha * start.slope && Number.isFinite(p.value);
  const curvature = (p: LinePoint) => Math.abs(p.slope) <= -c2 * start.slope;

  const zoom = (lo: LinePoint, hi: LinePoint): LinePoint | null => {
    while (evaluations < maxEvaluations) {
      const point = probe(cubicMinimizer(lo, hi));
      if (!armijo(point) || point.value >= lo.value) {
        hi = point;
      } else {
        if (curvature(point)) return point;
        if (point.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = point;
      }
      if (Math.abs(hi.alpha - lo.alpha) < 1e-16 * Math.max(1, lo.alpha)) break;
    }
    return null;
  };

  let previous = start;
  let alpha = initialAlpha;
  while (evaluations < maxEvaluations) {
    const point = probe(alpha);
    if (!armijo(point) || (previous !== start && point.value >= previous.value)) {
      return { point: zoom(previous, point) ?? best, evaluations };
    }
    if (curvature(point)) return { point, evaluations };
    if (point.slope >= 0) return { point: zoom(point, previous) ?? best, evaluations };
    previous = point;
    alpha *= 2;
  }
  return { point: best, evaluations };
}

/** Minimizes f from x0 (Algorithm 7.5). */
export function lbfgsMinimize(f: ValueAndGradient, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const o = { ...DEFAULTS, ...options };
  let x: Float64Array = Float64Array.from(x0);
  let { value, gradient }: { value: number; gradient: Float64Array } = f(x);
  let evaluations = 1;
  const pairs: CorrectionPair[] = [];
  let gamma = 1;
  const result = (iterations: number, reason: LbfgsResult['reason']): LbfgsResult => ({
    x,
    value,
    gradient,
    iterations,
    evaluations,
    reason,
  });

  for (let k = 0; k < o.maxIterations; k++) {
    if (infinityNorm(gradient) <= o.gradientTolerance) return result(k, 'gradient');
    let direction = twoLoopDirection(gradient, pairs, gamma);
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): forget the curvature pairs and use steepest descent.
      pairs.length = 0;
      direction = gradient.map((g) => -g);
      slope = dot(gradient, direction);
    }
    // First iteration: a unit-length step along −g; afterwards the quasi-Newton step α = 1 (N&W §7.2).
    const initialAlpha = pairs.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const evaluate = (alpha: number): LinePoint => {
      const xAlpha = axpy(x, alpha, direction);
      const at = f(xAlpha);
      return { alpha, value: at.value, slope: dot(at.gradient, direction), x: xAlpha, gradient: at.gradient };
    };
    const start: LinePoint = { alpha: 0, value, slope, x, gradient };
    const search = strongWolfeLineSearch(evaluate, start, initialAlpha, {
      c1: o.c1,
      c2: o.c2,
      maxEvaluations: o.maxLineSearchEvaluations,
    });
    evaluations += search.evaluations;
    if (search.point === null) return result(k, 'line-search');

    const next = search.point;
    const s = new Float64Array(x.length);
    const y = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      s[i] = next.x[i] - x[i];
      y[i] = next.gradient[i] - gradient[i];
    }
    const sy = dot(s, y);
    // Skip pairs without positive curvature (only possible when the Wolfe search returned its fallback point).
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > o.memory) pairs.shift();
      gamma = sy / dot(y, y);
    }
    const previousValue = value;
    x = next.x;
    value = next.value;
    gradient = next.gradient;
    if (
      Math.abs(previousValue - value) <=
      o.relativeValueTolerance * Math.max(Math.abs(previousValue), Math.abs(value), 1)
    ) {
      return result(k + 1, 'value');
    }
  }
  return result(o.maxIterations, 'max-iterations');
}
