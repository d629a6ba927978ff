/**
 * The config sections every policy-gradient method shares (and the policy every algorithm trains): the network,
 * observation normalization, the discount and advantage estimate, the value-function baseline, the vine sampler
 * and the periodic evaluation videos. Each algorithm's own section lives in its folder (algos/<name>/config.ts).
 */
import * as v from 'valibot';
import { choice, field, integerAtLeast, positive, positiveInteger, section } from './fields.js';

export const POLICY_SECTION = section(
  {
    hiddenSizes: field(
      v.array(positiveInteger()),
      () => [64, 64],
      'hidden layer widths of the MLP policy and value function',
    ),
    activation: field(choice(['tanh', 'relu'] as const), 'tanh', 'activation of the hidden layers'),
    initialLogStd: field(
      v.number(),
      0,
      "Gaussian policy: the log standard deviation every action dimension starts with (a learned, state-independent parameter); 0 (σ = 1) as sb3-contrib's log_std_init",
    ),
    hostForward: field(
      v.boolean(),
      true,
      'MLP policy: choose actions with a forward pass on host arrays (from a copy of the weights that follows every update) instead of tensor ops: the same distribution up to float32 rounding, several times cheaper on the few rows of one vector env (up to 32 rows; larger batches use tensor ops) (docs/latency.md); the Atari CNN always uses tensor ops',
    ),
  },
  "the policy network (image observations get the paper's Atari CNN instead of the MLP)",
);

export const OBSERVATIONS_SECTION = section(
  {
    normalize: field(
      v.boolean(),
      true,
      'normalize observations by a running mean and variance (updated after each iteration)',
    ),
  },
  'what the policy sees of the observations',
);

export const ADVANTAGE_SECTION = section(
  {
    estimator: field(
      choice(['gae', 'monte-carlo'] as const),
      'gae',
      "single path: gae uses the value baseline with GAE(γ, λ); monte-carlo is the paper's discounted return Q̂ (§4.1)",
    ),
    gamma: field(v.pipe(v.number(), v.gtValue(0), v.maxValue(1)), 0.99, 'discount γ'),
    lambda: field(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.97, 'GAE λ'),
    normalize: field(v.boolean(), true, 'standardize advantages to mean 0, std 1 over the batch before the update'),
  },
  'discounting and advantage estimates of the policy-gradient methods (trpo, npg, vpg)',
);

export const VALUE_FUNCTION_SECTION = section(
  {
    epochs: field(
      positiveInteger(),
      3,
      "epochs of Adam regression per batch (3 at step 2e-3 reach CartPole's 475 as fast as 5 at 1e-3, in 60% of the fit time)",
    ),
    learningRate: field(
      positive(),
      2e-3,
      'Adam step size; tuned on vector observations, use ~2.5e-4 for Atari frames (docs/results-pong.md)',
    ),
    minibatchSize: field(
      positiveInteger(),
      256,
      'minibatch size (64 took 4x the time for no better baseline; 512 fit too little)',
    ),
    optimizer: field(
      choice(['adam', 'lbfgs'] as const),
      'adam',
      'adam: `epochs` passes of shuffled minibatches at `learningRate`; lbfgs: `epochs` L-BFGS iterations on the whole batch (no step size)',
    ),
    hostFit: field(
      v.boolean(),
      true,
      'adam on an MLP: take the minibatch steps on host arrays instead of tensor ops (the same steps up to float rounding, several times faster on small networks); the Atari CNN always uses tensor ops',
    ),
    hostKernel: field(
      choice(['simd', 'js'] as const),
      'simd',
      "with hostFit: the kernels of the minibatch steps, WebAssembly SIMD or scalar JavaScript (the fallback where the runtime has no SIMD); the same weights to the last bit, 'simd' ~2x cheaper",
    ),
    overlapFit: field(
      v.boolean(),
      true,
      'with hostFit, single path: fit on a worker thread while the policy step runs (the step needs only the advantages, from the value function before the fit): the same numbers, less wall time on 2+ cores',
    ),
  },
  'the state-value baseline V(s) of GAE and of bootstrapped vine rollouts',
);

export const VINE_SECTION = section(
  {
    rolloutSetSize: field(
      positiveInteger(),
      100,
      'N: states in the rollout set per iteration (paper: 500 swimmer, 2500 hopper/walker)',
    ),
    actionsPerState: field(
      v.union([positiveInteger(), choice(['all', 'auto'] as const)]),
      'auto',
      'actions tried per state: K sampled from π_θold, or all (every action once, discrete spaces); auto: all for ' +
        'discrete action spaces, 4 for continuous ones',
    ),
    rolloutLength: field(
      positiveInteger(),
      50,
      'length of each Q-estimation rollout, first action included (paper: 50 / 100)',
    ),
    trunkSteps: field(
      positiveInteger(),
      1024,
      'steps of the trunk trajectories the rollout set is drawn from, per iteration, over all env slots',
    ),
    estimator: field(
      choice(['mean-baseline', 'self-normalized'] as const),
      'mean-baseline',
      "variance reduction across a state's actions (§4.2): subtract the state's mean Q̂, or normalize its importance weights to sum to one",
    ),
    klStates: field(
      choice(['rollout-set', 'trunk'] as const),
      'rollout-set',
      "states the KL constraint (and Fisher matrix) is estimated on: the rollout set, as the paper's eq. 29, or every trunk state",
    ),
    rolloutBootstrap: field(
      choice(['none', 'value-function'] as const),
      'none',
      'value of a rollout cut at rolloutLength: none counts only the rewards seen (the paper); value-function adds γ^length·V(s_cut)',
    ),
  },
  "the paper's vine sampler (§4.2), used with sampler vine",
);

export const EVALUATION_SECTION = section(
  {
    videoEvery: field(
      v.nullable(positiveInteger()),
      null,
      "every this many iterations (and after the last), record one episode of the deterministic policy as a video in the run's videos/ (needs ffmpeg); none: no videos",
    ),
    videoFormat: field(
      choice(['mp4', 'webm', 'gif'] as const),
      'mp4',
      'container of those videos: mp4 (H.264), webm (VP8) or gif',
    ),
    videoFps: field(positive(), 30, 'frames per second of those videos (one frame per env step)'),
  },
  'periodic evaluation episodes during training, recorded as videos (docs/videos.md)',
);

export type PolicyConfig = v.InferOutput<typeof POLICY_SECTION>;
export type AdvantageConfig = v.InferOutput<typeof ADVANTAGE_SECTION>;
export type ValueFunctionConfig = v.InferOutput<typeof VALUE_FUNCTION_SECTION>;
export type VineConfig = v.InferOutput<typeof VINE_SECTION>;
export type EvaluationConfig = v.InferOutput<typeof EVALUATION_SECTION>;

/** Integers ≥ 0 (seeds). */
export const seedSchema = () => integerAtLeast(0);
