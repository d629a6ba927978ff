/**
 * Example vinegym env plug-in: Pendulum-v1, a port of Gymnasium's classic-control pendulum swing-up.
 *
 *   npx tsx packages/env-server/src/cli.ts --plugin ./examples/plugin/pendulum-plugin.ts
 *
 * A plug-in is an ES module whose `envs` (or default) export is an array of EnvDefinition; see
 * packages/env-server/PLUGINS.md.
 */
import { box, VinegymError } from '@vinegym/protocol';
import type { NDArray, Space, SpaceValue } from '@vinegym/protocol';
import { Rng, randomSeed } from '@vinegym/env-server';
import type { Env, EnvDefinition, ResetOutput, StepOutput } from '@vinegym/env-server';

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const MASS = 1.0;
const LENGTH = 1.0;
/** Reset draws theta ~ U(-DEFAULT_X, DEFAULT_X) and theta_dot ~ U(-DEFAULT_Y, DEFAULT_Y). */
const DEFAULT_X = Math.PI;
const DEFAULT_Y = 1.0;
const STATE_BYTES = 1 + 16 + 16;

/** Angle wrapped into [-pi, pi), with Python's floored modulo. */
function angleNormalize(x: number): number {
  const period = 2 * Math.PI;
  const shifted = x + Math.PI;
  return shifted - Math.floor(shifted / period) * period - Math.PI;
}

export class PendulumEnv implements Env {
  readonly observationSpace: Space = box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED], [3], 'float32');
  readonly actionSpace: Space = box(-MAX_TORQUE, MAX_TORQUE, [1], 'float32');
  private rng: Rng | null = null;
  private theta = 0;
  private thetaDot = 0;

  constructor(private readonly g: number) {}

  reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    const highTheta = resetBound(options, 'x_init', DEFAULT_X);
    const highThetaDot = resetBound(options, 'y_init', DEFAULT_Y);
    if (seed !== undefined) this.rng = new Rng(seed);
    this.rng ??= new Rng(randomSeed());
    this.theta = this.rng.uniform(-highTheta, highTheta);
    this.thetaDot = this.rng.uniform(-highThetaDot, highThetaDot);
    return { observation: this.observation(), info: {} };
  }

  step(action: SpaceValue): StepOutput {
    const raw = (action as NDArray<'float32'>).data[0];
    // Gymnasium clips the float32 action array, so u is a float32 value.
    const u = Math.fround(Math.min(MAX_TORQUE, Math.max(-MAX_TORQUE, raw)));
    const { theta, thetaDot, g } = this;
    const costs = angleNormalize(theta) ** 2 + 0.1 * thetaDot ** 2 + 0.001 * u ** 2;
    let newThetaDot = thetaDot + (((3 * g) / (2 * LENGTH)) * Math.sin(theta) + (3.0 / (MASS * LENGTH ** 2)) * u) * DT;
    newThetaDot = Math.min(MAX_SPEED, Math.max(-MAX_SPEED, newThetaDot));
    this.theta = theta + newThetaDot * DT;
    this.thetaDot = newThetaDot;
    return { observation: this.observation(), reward: -costs, terminated: false, truncated: false, info: {} };
  }

  /** 33 bytes: u8 RNG present, f64 theta, f64 theta_dot, 16 bytes RNG state. */
  getState(): Uint8Array {
    const bytes = new Uint8Array(STATE_BYTES);
    const view = new DataView(bytes.buffer);
    view.setUint8(0, this.rng ? 1 : 0);
    view.setFloat64(1, this.theta, true);
    view.setFloat64(9, this.thetaDot, true);
    if (this.rng) bytes.set(this.rng.getState(), 17);
    return bytes;
  }

  setState(bytes: Uint8Array): void {
    if (bytes.byteLength !== STATE_BYTES) throw new VinegymError('BAD_REQUEST', 'Pendulum state must be 33 bytes');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.theta = view.getFloat64(1, true);
    this.thetaDot = view.getFloat64(9, true);
    if (view.getUint8(0) === 1) {
      this.rng ??= new Rng(0);
      this.rng.setState(bytes.subarray(17, 33));
    } else {
      this.rng = null;
    }
  }

  private observation(): NDArray<'float32'> {
    const data = Float32Array.of(Math.cos(this.theta), Math.sin(this.theta), this.thetaDot);
    return { dtype: 'float32', shape: [3], data };
  }
}

function resetBound(options: Record<string, unknown> | undefined, key: string, fallback: number): number {
  const value = options?.[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new VinegymError('BAD_REQUEST', `Pendulum reset option ${key} must be a finite number`);
  }
  return Math.abs(value);
}

export const PENDULUM_V1: EnvDefinition = {
  id: 'Pendulum-v1',
  description: 'Inverted pendulum swing-up with a continuous torque (Gymnasium Pendulum-v1). No rendering.',
  kwargs: {
    g: { type: 'number', default: 10.0, minimum: 0, description: 'Acceleration of gravity (m/s^2).' },
  },
  maxEpisodeSteps: 200,
  create: (kwargs) => new PendulumEnv(kwargs.g as number),
};

export const envs: EnvDefinition[] = [PENDULUM_V1];
