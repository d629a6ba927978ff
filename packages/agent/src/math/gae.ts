/**
 * Advantage and return estimates over one stream of consecutive steps that may span several episodes.
 *
 * Episode boundaries: step t ends an episode if `terminated[t]` (a true terminal state, whose value is 0) or
 * `truncated[t]` (cut by a time limit; the episode would have continued, so we bootstrap from the value of the
 * final observation, `bootstrapValues[t]`). The last step of the stream is treated as truncated when neither
 * flag is set (the batch ran out mid-episode), so `bootstrapValues[T-1]` must then hold V(s_T).
 * `bootstrapValues` is only read at those steps; other entries are ignored.
 */

export type Flags = ArrayLike<boolean | number>;

/** Value of the state after step t, or null when step t has a successor in the stream. */
function valueAfterBoundary(
  t: number,
  n: number,
  terminated: Flags,
  truncated: Flags,
  bootstrapValues: ArrayLike<number> | undefined,
): number | null {
  if (terminated[t]) return 0;
  if (truncated[t] || t === n - 1) return bootstrapValues ? bootstrapValues[t] : 0;
  return null;
}

export interface AdvantageEstimate {
  advantages: Float32Array;
  /** λ-returns A_t + V(s_t): the regression targets for the value function. */
  returns: Float32Array;
}

/**
 * GAE(γ, λ) (Schulman et al. 2016): A_t = Σ_l (γλ)^l δ_{t+l}, with δ_t = r_t + γ V(s_{t+1}) − V(s_t),
 * the sum stopping at the end of the episode. λ = 1 gives Monte-Carlo returns minus the baseline; λ = 0 the
 * one-step TD error.
 */
export function generalizedAdvantageEstimate(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  terminated: Flags,
  truncated: Flags,
  bootstrapValues: ArrayLike<number>,
  gamma: number,
  lambda: number,
): AdvantageEstimate {
  const n = rewards.length;
  const advantages = new Float32Array(n);
  const returns = new Float32Array(n);
  let nextAdvantage = 0;
  for (let t = n - 1; t >= 0; t--) {
    const boundaryValue = valueAfterBoundary(t, n, terminated, truncated, bootstrapValues);
    const nextValue = boundaryValue ?? values[t + 1];
    if (boundaryValue !== null) nextAdvantage = 0;
    const tdError = rewards[t] + gamma * nextValue - values[t];
    nextAdvantage = tdError + gamma * lambda * nextAdvantage;
    advantages[t] = nextAdvantage;
    returns[t] = nextAdvantage + values[t];
  }
  return { advantages, returns };
}

/**
 * Discounted sum of future rewards to the end of each episode: the paper's Monte-Carlo estimate of Q(s_t, a_t)
 * (§4.1). Without `bootstrapValues`, truncated episodes simply stop (the paper's finite-horizon estimate).
 */
export function discountedReturns(
  rewards: ArrayLike<number>,
  terminated: Flags,
  truncated: Flags,
  gamma: number,
  bootstrapValues?: ArrayLike<number>,
): Float32Array {
  const n = rewards.length;
  const returns = new Float32Array(n);
  let nextReturn = 0;
  for (let t = n - 1; t >= 0; t--) {
    const boundaryValue = valueAfterBoundary(t, n, terminated, truncated, bootstrapValues);
    if (boundaryValue !== null) nextReturn = boundaryValue;
    nextReturn = rewards[t] + gamma * nextReturn;
    returns[t] = nextReturn;
  }
  return returns;
}

/** 1 − Var[target − prediction] / Var[target]: 1 is perfect, 0 is no better than a constant; NaN if Var[target] = 0. */
export function explainedVariance(prediction: ArrayLike<number>, target: ArrayLike<number>): number {
  const n = target.length;
  let targetMean = 0;
  let errorMean = 0;
  for (let i = 0; i < n; i++) {
    targetMean += target[i];
    errorMean += target[i] - prediction[i];
  }
  targetMean /= n;
  errorMean /= n;
  let targetVar = 0;
  let errorVar = 0;
  for (let i = 0; i < n; i++) {
    targetVar += (target[i] - targetMean) ** 2;
    errorVar += (target[i] - prediction[i] - errorMean) ** 2;
  }
  return targetVar === 0 ? Number.NaN : 1 - errorVar / targetVar;
}

/** (A − mean) / std over the batch, in float64: advantages on one scale whatever the reward scale. */
export function standardize(values: Float32Array): Float32Array {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const scale = 1 / (Math.sqrt(variance) + 1e-8);
  return values.map((v) => (v - mean) * scale);
}
