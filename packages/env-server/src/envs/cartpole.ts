/**
 * CartPole, a port of Gymnasium 1.x `CartPoleEnv` (classic_control/cartpole.py) with the same constants,
 * explicit-Euler integration, float64 state, float32 observations, termination rule and rewards, and the same
 * random draws: reset takes `np_random.uniform(low, high, size=4)` from NumPy's PCG64 Generator, seeded as
 * Gymnasium seeds it, so `reset(seed=s)` gives Gymnasium's initial state bit for bit.
 */
import { box, discrete, VinegymError } from '@vinegym/protocol';
import type { NDArray, Space, TypedArray } from '@vinegym/protocol';
import type { Env, EnvDefinition, ResetOutput, StepOutcome, StepOutput } from '../env.js';
import { NUMPY_GENERATOR_STATE_BYTES, NumpyGenerator, randomSeed } from '../rng.js';
import { formatVersionError } from '../snapshot.js';
import { RgbCanvas } from './raster.js';

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
/** Half the pole's length, as in Gymnasium. */
const LENGTH = 0.5;
const POLEMASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
/** Seconds between state updates. */
const TAU = 0.02;
const THETA_THRESHOLD_RADIANS = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;
const DEFAULT_RESET_LOW = -0.05;
const DEFAULT_RESET_HIGH = 0.05;

const SCREEN_WIDTH = 600;
const SCREEN_HEIGHT = 400;

/** Layout version of `getState` bytes: see `CartPoleEnv.getState`. */
const STATE_LAYOUT_VERSION = 2;
const RNG_OFFSET = 40;
const STATE_BYTES = RNG_OFFSET + NUMPY_GENERATOR_STATE_BYTES;
const FLAG_HAS_STATE = 1;
const FLAG_TERMINATED = 2;
const FLAG_HAS_RNG = 4;

export interface CartPoleOptions {
  /** Sutton & Barto's reward: 0 on non-terminal steps, −1 on the terminating step and after. Default false. */
  suttonBartoReward?: boolean;
}

export class CartPoleEnv implements Env {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  private readonly suttonBartoReward: boolean;
  private rng: NumpyGenerator | null = null;
  private hasState = false;
  private x = 0;
  private xDot = 0;
  private theta = 0;
  private thetaDot = 0;
  /** Gymnasium's `steps_beyond_terminated`; −1 stands for None. */
  private stepsBeyondTerminated = -1;

  constructor(options: CartPoleOptions = {}) {
    this.suttonBartoReward = options.suttonBartoReward ?? false;
    const high = [Math.fround(X_THRESHOLD * 2), Infinity, Math.fround(THETA_THRESHOLD_RADIANS * 2), Infinity];
    this.observationSpace = box(
      high.map((h) => -h),
      high,
      [4],
      'float32',
    );
    this.actionSpace = discrete(2);
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    const [low, high] = parseResetBounds(options);
    if (seed !== undefined) {
      if (this.rng) this.rng.seed(seed);
      else this.rng = new NumpyGenerator(seed);
    }
    this.rng ??= new NumpyGenerator(randomSeed());
    const rng = this.rng;
    this.x = rng.uniform(low, high);
    this.xDot = rng.uniform(low, high);
    this.theta = rng.uniform(low, high);
    this.thetaDot = rng.uniform(low, high);
    this.hasState = true;
    this.stepsBeyondTerminated = -1;
    return { observation: this.observation(), info: {} };
  }

  step(action: unknown): StepOutput {
    const observation = new Float32Array(4);
    const outcome = this.stepInto(action, observation);
    return { observation: { dtype: 'float32', shape: [4], data: observation }, ...outcome };
  }

  /** The step with the observation written into `out` (a session's batch row): no arrays per step. */
  stepInto(action: unknown, out: TypedArray): StepOutcome {
    if (!this.hasState) throw new Error('CartPole: call reset before step');
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const { x, xDot, theta, thetaDot } = this;
    const costheta = Math.cos(theta);
    const sintheta = Math.sin(theta);
    const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sintheta) / TOTAL_MASS;
    const thetaacc =
      (GRAVITY * sintheta - costheta * temp) /
      (LENGTH * (4.0 / 3.0 - (MASS_POLE * (costheta * costheta)) / TOTAL_MASS));
    const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;
    this.x = x + TAU * xDot;
    this.xDot = xDot + TAU * xacc;
    this.theta = theta + TAU * thetaDot;
    this.thetaDot = thetaDot + TAU * thetaacc;

    const terminated =
      this.x < -X_THRESHOLD ||
      this.x > X_THRESHOLD ||
      this.theta < -THETA_THRESHOLD_RADIANS ||
      this.theta > THETA_THRESHOLD_RADIANS;
    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated < 0) {
      this.stepsBeyondTerminated = 0; // the pole just fell
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      // Stepping past termination is undefined behaviour in Gymnasium (it warns); the rewards mirror it.
      this.stepsBeyondTerminated++;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    // A method of its own keeps this one under V8's bytecode limit for inlining into the session's loop.
    this.observeInto(out);
    return { reward, terminated, truncated: false, info: {} };
  }

  /**
   * Sets the physical state [x, x_dot, theta, theta_dot] (float64), like assigning `env.unwrapped.state` in
   * Gymnasium; leaves the RNG and the termination bookkeeping alone. Used by tests and parity checks.
   */
  setStateVector(state: ArrayLike<number>): void {
    if (state.length !== 4) throw new RangeError('CartPole state has 4 elements');
    [this.x, this.xDot, this.theta, this.thetaDot] = [state[0], state[1], state[2], state[3]];
    this.hasState = true;
  }

  /** The physical state [x, x_dot, theta, theta_dot] as float64. */
  stateVector(): Float64Array {
    return Float64Array.of(this.x, this.xDot, this.theta, this.thetaDot);
  }

  /**
   * 80 bytes, little-endian: u8 layout version (2), u8 flags (1 = reset done, 2 = terminated already,
   * 4 = RNG present), 2 padding bytes, u32 steps beyond termination, 4 × f64 state, 40 bytes of PCG64 state.
   */
  getState(): Uint8Array {
    const bytes = new Uint8Array(STATE_BYTES);
    const view = new DataView(bytes.buffer);
    const flags =
      (this.hasState ? FLAG_HAS_STATE : 0) |
      (this.stepsBeyondTerminated >= 0 ? FLAG_TERMINATED : 0) |
      (this.rng ? FLAG_HAS_RNG : 0);
    view.setUint8(0, STATE_LAYOUT_VERSION);
    view.setUint8(1, flags);
    view.setUint32(4, Math.max(0, this.stepsBeyondTerminated), true);
    view.setFloat64(8, this.x, true);
    view.setFloat64(16, this.xDot, true);
    view.setFloat64(24, this.theta, true);
    view.setFloat64(32, this.thetaDot, true);
    if (this.rng) bytes.set(this.rng.getState(), RNG_OFFSET);
    return bytes;
  }

  setState(bytes: Uint8Array): void {
    if (bytes.byteLength > 0 && bytes[0] !== STATE_LAYOUT_VERSION) {
      throw formatVersionError('CartPole state', bytes[0], STATE_LAYOUT_VERSION);
    }
    if (bytes.byteLength !== STATE_BYTES) {
      throw new VinegymError('BAD_REQUEST', `CartPole state must be ${STATE_BYTES} bytes, got ${bytes.byteLength}`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const flags = view.getUint8(1);
    this.hasState = (flags & FLAG_HAS_STATE) !== 0;
    this.stepsBeyondTerminated = flags & FLAG_TERMINATED ? view.getUint32(4, true) : -1;
    this.x = view.getFloat64(8, true);
    this.xDot = view.getFloat64(16, true);
    this.theta = view.getFloat64(24, true);
    this.thetaDot = view.getFloat64(32, true);
    if (flags & FLAG_HAS_RNG) {
      this.rng ??= new NumpyGenerator(0);
      this.rng.setState(bytes.subarray(RNG_OFFSET, STATE_BYTES));
    } else {
      this.rng = null;
    }
  }

  /** A 600×400 RGB frame drawn like Gymnasium's pygame renderer: track, black cart, brown pole, blue axle. */
  render(): NDArray<'uint8'> {
    const canvas = new RgbCanvas(SCREEN_WIDTH, SCREEN_HEIGHT);
    const scale = SCREEN_WIDTH / (X_THRESHOLD * 2);
    const poleWidth = 10.0;
    const poleLen = scale * (2 * LENGTH);
    const cartWidth = 50.0;
    const cartHeight = 30.0;
    const axleOffset = cartHeight / 4.0;
    const cartX = this.x * scale + SCREEN_WIDTH / 2.0;
    const cartY = 100; // top of the track, in y-up screen coordinates
    // Gymnasium draws with y pointing up and flips the surface at the end; we flip each point instead.
    const flip = (px: number, py: number): [number, number] => [px, SCREEN_HEIGHT - py];

    canvas.fill([255, 255, 255]);
    const [l, r, t, b] = [-cartWidth / 2, cartWidth / 2, cartHeight / 2, -cartHeight / 2];
    canvas.fillPolygon(
      [
        [l, b],
        [l, t],
        [r, t],
        [r, b],
      ].map(([px, py]) => flip(px + cartX, py + cartY)),
      [0, 0, 0],
    );
    const [pl, pr, pt, pb] = [-poleWidth / 2, poleWidth / 2, poleLen - poleWidth / 2, -poleWidth / 2];
    const cos = Math.cos(-this.theta);
    const sin = Math.sin(-this.theta);
    canvas.fillPolygon(
      [
        [pl, pb],
        [pl, pt],
        [pr, pt],
        [pr, pb],
      ].map(([px, py]) => flip(px * cos - py * sin + cartX, px * sin + py * cos + cartY + axleOffset)),
      [202, 152, 101],
    );
    const [ax, ay] = flip(Math.trunc(cartX), Math.trunc(cartY + axleOffset));
    canvas.fillCircle(ax, ay, Math.trunc(poleWidth / 2), [129, 132, 203]);
    canvas.hline(0, SCREEN_WIDTH, SCREEN_HEIGHT - 1 - cartY, [0, 0, 0]);
    return canvas.toNDArray();
  }

  private observeInto(out: TypedArray): void {
    out[0] = this.x;
    out[1] = this.xDot;
    out[2] = this.theta;
    out[3] = this.thetaDot;
  }

  private observation(): NDArray<'float32'> {
    const data = new Float32Array(4);
    data[0] = this.x;
    data[1] = this.xDot;
    data[2] = this.theta;
    data[3] = this.thetaDot;
    return { dtype: 'float32', shape: [4], data };
  }
}

/** Gymnasium's `maybe_parse_reset_bounds(options, -0.05, 0.05)`. */
function parseResetBounds(options: Record<string, unknown> | undefined): [number, number] {
  const low = options?.low ?? DEFAULT_RESET_LOW;
  const high = options?.high ?? DEFAULT_RESET_HIGH;
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
    throw new VinegymError('BAD_REQUEST', 'CartPole reset options low and high must be finite numbers');
  }
  if (low > high) throw new VinegymError('BAD_REQUEST', `CartPole reset options: low (${low}) > high (${high})`);
  return [low, high];
}

function cartPoleDefinition(id: string, maxEpisodeSteps: number): EnvDefinition {
  return {
    id,
    description: `Classic cart-pole balancing (Barto, Sutton & Anderson 1983), as Gymnasium ${id}.`,
    kwargs: {
      sutton_barto_reward: {
        type: 'boolean',
        default: false,
        description: 'Reward 0 on non-terminal steps and -1 on the terminating step instead of +1 every step.',
      },
    },
    maxEpisodeSteps,
    create: (kwargs) => new CartPoleEnv({ suttonBartoReward: kwargs.sutton_barto_reward === true }),
  };
}

export const CARTPOLE_V0 = cartPoleDefinition('CartPole-v0', 200);
export const CARTPOLE_V1 = cartPoleDefinition('CartPole-v1', 500);
