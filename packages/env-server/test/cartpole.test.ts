import { checkValue } from '@vinegym/protocol';
import type { BoxSpace, NDArray } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { CartPoleEnv } from '../src/envs/cartpole.js';

const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;

function obs(value: unknown): Float32Array {
  return (value as NDArray<'float32'>).data;
}

describe('CartPole dynamics', () => {
  it('matches the reference trajectory', () => {
    const env = new CartPoleEnv();
    env.reset(0);
    env.setStateVector([0.01, 0.02, 0.03, 0.04]);
    for (let t = 0; t < 10; t++) env.step(t % 2 === 0 ? 1 : 0);
    const expected = [0.0331707698, 0.0165695948, 0.0162536138, 0.115669558];
    const state = env.stateVector();
    expected.forEach((v, i) => expect(state[i]).toBeCloseTo(v, 9));
  });

  it('returns float32 observations of the float64 state', () => {
    const env = new CartPoleEnv();
    env.reset(1);
    env.setStateVector([0.1, -0.2, 0.03, 0.4]);
    const out = env.step(1);
    const state = env.stateVector();
    expect(Array.from(obs(out.observation))).toEqual(Array.from(state, (v) => Math.fround(v)));
    expect(checkValue(env.observationSpace, out.observation)).toBeNull();
  });

  it('has Gymnasium spaces', () => {
    const env = new CartPoleEnv();
    const space = env.observationSpace as BoxSpace;
    expect(space.dtype).toBe('float32');
    expect(Array.from(space.high.data as Float32Array)).toEqual([
      Math.fround(4.8),
      Infinity,
      Math.fround(0.41887903),
      Infinity,
    ]);
    expect(Array.from(space.low.data as Float32Array)).toEqual([
      -Math.fround(4.8),
      -Infinity,
      -Math.fround(0.41887903),
      -Infinity,
    ]);
    expect(env.actionSpace).toEqual({ type: 'discrete', n: 2, start: 0 });
  });
});

describe('CartPole termination and rewards', () => {
  function stepFrom(state: number[], suttonBartoReward = false) {
    const env = new CartPoleEnv({ suttonBartoReward });
    env.reset(0);
    env.setStateVector(state);
    return { env, out: env.step(0) };
  }

  it('terminates strictly beyond x = ±2.4', () => {
    // With x_dot = 0 the position does not move in one Euler step.
    expect(stepFrom([2.4, 0, 0, 0]).out.terminated).toBe(false);
    expect(stepFrom([-2.4, 0, 0, 0]).out.terminated).toBe(false);
    expect(stepFrom([2.4000001, 0, 0, 0]).out.terminated).toBe(true);
    expect(stepFrom([-2.4000001, 0, 0, 0]).out.terminated).toBe(true);
  });

  it('terminates strictly beyond theta = ±12 degrees', () => {
    expect(stepFrom([0, 0, THETA_THRESHOLD, 0]).out.terminated).toBe(false);
    expect(stepFrom([0, 0, -THETA_THRESHOLD, 0]).out.terminated).toBe(false);
    expect(stepFrom([0, 0, THETA_THRESHOLD + 1e-9, 0]).out.terminated).toBe(true);
    expect(stepFrom([0, 0, -THETA_THRESHOLD - 1e-9, 0]).out.terminated).toBe(true);
  });

  it('rewards 1 per step including the terminating one, then 0', () => {
    const { env, out } = stepFrom([0, 0, 0.3, 0]);
    expect(out).toMatchObject({ reward: 1, terminated: true, truncated: false });
    expect(env.step(1)).toMatchObject({ reward: 0, terminated: true });
    expect(env.step(1).reward).toBe(0);
    expect(stepFrom([0, 0, 0, 0]).out).toMatchObject({ reward: 1, terminated: false });
  });

  it('sutton_barto_reward gives 0 while alive and -1 from termination on', () => {
    expect(stepFrom([0, 0, 0, 0], true).out.reward).toBe(0);
    const { env, out } = stepFrom([0, 0, 0.3, 0], true);
    expect(out.reward).toBe(-1);
    expect(env.step(0).reward).toBe(-1);
  });

  it('a new reset clears the termination bookkeeping', () => {
    const { env } = stepFrom([0, 0, 0.3, 0]);
    env.step(0);
    env.reset();
    env.setStateVector([0, 0, 0.3, 0]);
    expect(env.step(0).reward).toBe(1);
  });
});

describe('CartPole reset and seeding', () => {
  it('draws the start state from U(-0.05, 0.05)', () => {
    const env = new CartPoleEnv();
    for (let seed = 0; seed < 50; seed++) {
      for (const v of obs(env.reset(seed).observation)) {
        expect(Math.abs(v)).toBeLessThan(0.05);
      }
    }
  });

  it('honours low/high reset options', () => {
    const env = new CartPoleEnv();
    const values = obs(env.reset(3, { low: 0.1, high: 0.2 }).observation);
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(Math.fround(0.1));
      expect(v).toBeLessThan(0.2);
    }
    expect(() => env.reset(3, { low: 0.3, high: 0.2 })).toThrow(/low/);
  });

  it('is deterministic for a seed and keeps the RNG going without one', () => {
    const a = new CartPoleEnv();
    const b = new CartPoleEnv();
    expect(obs(a.reset(42).observation)).toEqual(obs(b.reset(42).observation));
    const second = obs(a.reset().observation);
    expect(second).toEqual(obs(b.reset().observation));
    expect(second).not.toEqual(obs(new CartPoleEnv().reset(42).observation));
    expect(obs(a.reset(43).observation)).not.toEqual(obs(b.reset(42).observation));
  });

  it('getState/setState round-trips state, RNG and termination', () => {
    const a = new CartPoleEnv();
    a.reset(7);
    for (let t = 0; t < 12; t++) a.step(t % 3 === 0 ? 0 : 1);
    const b = new CartPoleEnv();
    b.setState(a.getState());
    expect(b.stateVector()).toEqual(a.stateVector());
    for (let t = 0; t < 20; t++) expect(b.step(t % 2)).toEqual(a.step(t % 2));
    expect(b.reset().observation).toEqual(a.reset().observation);
  });
});

describe('CartPole render', () => {
  it('draws a 600x400 RGB frame with track, cart and pole', () => {
    const env = new CartPoleEnv();
    env.reset(0);
    env.setStateVector([0, 0, 0, 0]);
    const frame = env.render();
    expect(frame.shape).toEqual([400, 600, 3]);
    const pixel = (row: number, col: number) =>
      Array.from(frame.data.subarray((row * 600 + col) * 3, (row * 600 + col) * 3 + 3));
    expect(pixel(10, 10)).toEqual([255, 255, 255]); // background
    expect(pixel(299, 10)).toEqual([0, 0, 0]); // track at y = 100 from the bottom
    expect(pixel(290, 280)).toEqual([0, 0, 0]); // cart body beside the axle
    expect(pixel(310, 300)).toEqual([0, 0, 0]); // cart body below the axle
    expect(pixel(200, 300)).toEqual([202, 152, 101]); // upright pole above the cart
    expect(pixel(292, 300)).toEqual([129, 132, 203]); // axle
  });
});
