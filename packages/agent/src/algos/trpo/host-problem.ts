/**
 * The TRPO problem of a batch on typed arrays, for fully connected policies (`Policy.hostNetwork`): the same
 * objective, constraint, gradient and Fisher-vector products as tensor-problem.ts, without tensor ops.
 *
 *   L(θ)  = Ê[ π_θ(a|s)/q(a|s) · Â ]  (+ entropy bonus)    surrogate: ∂L/∂log π per row, then Jᵀ by backprop
 *   A v   = (1/N) Σ_n J_nᵀ M_n J_n v                       J v and Jᵀ w by HostMlp, M by host-distributions.ts
 *   D̄_KL  = Ê_s[ KL(π_old ‖ π_θ) ]                         real forward passes at each line-search trial
 *
 * With `trpo.klReduction` mean a Gaussian's KL is averaged over its d action dimensions: D̄_KL and A are divided
 * by d (kl-reduction.ts).
 *
 * θ is the network's parameters followed, for a Gaussian, by log σ, whose Jacobian is the identity on every row.
 * The network's forward pass at θ_old and its per-row Jacobians are computed once and shared by the gradient and
 * every Fisher-vector product of the conjugate-gradient solve.
 */
import type { PolicyGradientBatch } from '../../estimation/advantages.js';
import type { DistKind } from '../../policies/distributions.js';
import { HostMlp } from '../../policies/host-mlp.js';
import type { HostPolicyNetwork } from '../../policies/policy.js';
import type { TrpoConfig } from './config.js';
import { fisherRowIndices } from './fisher.js';
import {
  LOG_STD_METRIC,
  addLogProbGradient,
  addMeanEntropyGradient,
  applyOutputMetric,
  logProbs,
  meanEntropy,
  meanKl,
  type RowDistributions,
} from './host-distributions.js';
import { klDivisor } from './kl-reduction.js';
import type { TrpoProblem } from './problem.js';

/** One set of states with its own network scratch: a forward pass there gives their distributions. */
class StateRows {
  readonly network: HostMlp;
  readonly count: number;

  constructor(
    private readonly layout: HostPolicyNetwork,
    private readonly kind: DistKind,
    readonly obs: Float32Array,
  ) {
    this.count = obs.length / layout.sizes[0];
    this.network = new HostMlp(layout.sizes, layout.activation, this.count);
  }

  distributions(theta: Float32Array): RowDistributions {
    const outputs = Float32Array.from(this.network.forward(theta, this.obs, this.count));
    const logStd =
      this.kind === 'gaussian' ? Float64Array.from(theta.subarray(this.network.parameterCount)) : new Float64Array(0);
    return { kind: this.kind, rows: this.count, dim: this.network.outputSize, outputs, logStd };
  }
}

/** Ê[r·Â] (weighted, or self-normalized per vine state) and its derivative with respect to each row's log π. */
function surrogateAndSlope(logProb: Float64Array, oldLogProb: ArrayLike<number>, batch: PolicyGradientBatch) {
  const n = logProb.length;
  const ratio = Float64Array.from(logProb, (lp, r) => Math.exp(lp - oldLogProb[r]));
  const slope = new Float64Array(n); // ∂L/∂log π_r = ∂L/∂r_r · r_r
  const advantages = batch.advantages;
  if (batch.stateIndex) {
    // (1/S) Σ_s N_s/D_s with N_s = Σ r·Â, D_s = Σ r over the state's samples.
    const states = batch.stateIndex.reduce((m, i) => Math.max(m, i), 0) + 1;
    const numerators = new Float64Array(states);
    const denominators = new Float64Array(states);
    batch.stateIndex.forEach((s, r) => {
      numerators[s] += ratio[r] * advantages[r];
      denominators[s] += ratio[r];
    });
    let value = 0;
    for (let s = 0; s < states; s++) value += numerators[s] / denominators[s];
    batch.stateIndex.forEach((s, r) => {
      slope[r] = (ratio[r] * (advantages[r] - numerators[s] / denominators[s])) / denominators[s] / states;
    });
    return { value: value / states, slope };
  }
  const weights = batch.weights;
  const total = weights ? weights.reduce((a, b) => a + b, 0) : n;
  let value = 0;
  for (let r = 0; r < n; r++) {
    const c = (weights ? weights[r] : 1) / total;
    value += c * ratio[r] * advantages[r];
    slope[r] = c * ratio[r] * advantages[r];
  }
  return { value, slope };
}

export function hostProblem(
  layout: HostPolicyNetwork,
  kind: DistKind,
  thetaOld: Float32Array,
  batch: PolicyGradientBatch,
  config: TrpoConfig,
): TrpoProblem {
  const samples = new StateRows(layout, kind, batch.obs);
  const old = samples.distributions(thetaOld);
  const constraintRows = batch.klObs ? new StateRows(layout, kind, batch.klObs) : samples;
  const oldConstraint = batch.klObs ? constraintRows.distributions(thetaOld) : old;
  const fisherIndices = fisherRowIndices(constraintRows.count, config.fisherSubsample);
  const fisherRows = fisherIndices
    ? new StateRows(layout, kind, gatherRows(constraintRows.obs, fisherIndices, layout.sizes[0]))
    : constraintRows;
  const oldFisher = fisherIndices ? fisherRows.distributions(thetaOld) : oldConstraint;
  // Line-search trials get their own scratch: the forward passes at θ_old stay valid for the Jacobians.
  const trialSamples = new StateRows(layout, kind, batch.obs);
  const trialConstraint = batch.klObs ? new StateRows(layout, kind, batch.klObs) : trialSamples;
  const oldLogProbs = batch.oldLogProbs ?? logProbs(old, batch.actions);
  const networkSize = samples.network.parameterCount;
  const beta = config.entropyCoefficient;
  // The KL (and so A) of each state is divided by d when averaged over a Gaussian's action dimensions.
  const stateKlDivisor = klDivisor(config.klReduction, kind, samples.network.outputSize);

  const objective = (d: RowDistributions) =>
    surrogateAndSlope(logProbs(d, batch.actions), oldLogProbs, batch).value + (beta === 0 ? 0 : beta * meanEntropy(d));
  const prepared = new Set<StateRows>();
  const jacobianAtOld = (rows: StateRows) => {
    if (!prepared.has(rows)) rows.network.prepareJacobian(thetaOld);
    prepared.add(rows);
    return rows.network;
  };

  return {
    surrogateBefore: objective(old),
    entropy: meanEntropy(oldConstraint),
    gradient: () => {
      const outputGradient = new Float64Array(old.rows * old.dim);
      const logStdGradient = new Float64Array(old.logStd.length);
      const { slope } = surrogateAndSlope(logProbs(old, batch.actions), oldLogProbs, batch);
      addLogProbGradient(old, batch.actions, slope, outputGradient, logStdGradient);
      if (beta !== 0) addMeanEntropyGradient(old, beta, outputGradient, logStdGradient);
      const gradient = new Float64Array(networkSize + logStdGradient.length);
      jacobianAtOld(samples).transposeProduct(outputGradient, gradient.subarray(0, networkSize));
      gradient.set(logStdGradient, networkSize);
      return gradient;
    },
    fisherProduct: (v) => {
      const network = jacobianAtOld(fisherRows);
      const tangent = new Float64Array(oldFisher.rows * oldFisher.dim);
      network.jacobianProduct(v, tangent);
      applyOutputMetric(oldFisher, tangent);
      for (let i = 0; i < tangent.length; i++) tangent[i] /= oldFisher.rows * stateKlDivisor;
      const product = new Float64Array(v.length);
      network.transposeProduct(tangent, product.subarray(0, networkSize));
      for (let i = networkSize; i < v.length; i++) product[i] = (LOG_STD_METRIC * v[i]) / stateKlDivisor;
      return product;
    },
    evaluate: (theta) => {
      const trial = trialSamples.distributions(theta);
      const trialKl = batch.klObs ? trialConstraint.distributions(theta) : trial;
      return { surrogate: objective(trial), kl: meanKl(oldConstraint, trialKl) / stateKlDivisor };
    },
    dispose: () => {},
  };
}

function gatherRows(obs: Float32Array, rows: Int32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, i) => out.set(obs.subarray(row * width, (row + 1) * width), i * width));
  return out;
}
