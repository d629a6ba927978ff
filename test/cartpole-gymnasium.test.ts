/**
 * Parity with Gymnasium: our CartPole-v1, driven through the session layer (initial states installed with
 * restore), must reproduce Gymnasium's float32 observations, rewards and flags exactly, including episodes that
 * run to termination and the 500-step truncation. Needs the venv made by `pnpm test:setup`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ndarray } from '@vinegym/protocol';
import type { NDArray } from '@vinegym/protocol';
import { CARTPOLE_V1, CartPoleEnv, Rng, VectorSession, canonicalKwargs, encodeSnapshot } from '@vinegym/env-server';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = `${ROOT}.venv/bin/python`;
const SCRIPT = `${ROOT}test/python/cartpole_reference.py`;
const KWARGS = { sutton_barto_reward: false };

interface Case {
  state: number[];
  actions: number[] | null;
  max_steps: number;
}
interface Reference {
  observations: number[][];
  rewards: number[];
  terminated: boolean[];
  truncated: boolean[];
  actions: number[];
}

function buildCases(): Case[] {
  const rng = new Rng(2024);
  const cases: Case[] = [];
  for (let k = 0; k < 12; k++) {
    const state = Array.from({ length: 4 }, () => rng.uniform(-0.05, 0.05));
    const actions = Array.from({ length: 300 }, () => rng.integer(2));
    cases.push({ state, actions, max_steps: 300 });
  }
  // Wider starts and constant pushes: fast terminations through x and theta on either side.
  cases.push({ state: [2.3, 0.8, 0, 0], actions: Array(50).fill(1), max_steps: 50 });
  cases.push({ state: [-2.3, -0.8, 0, 0], actions: Array(50).fill(0), max_steps: 50 });
  cases.push({ state: [0, 0, 0.2, 0.5], actions: Array(50).fill(0), max_steps: 50 });
  cases.push({
    state: [0.01, 0.02, 0.03, 0.04],
    actions: Array.from({ length: 40 }, (_, t) => (t + 1) % 2),
    max_steps: 40,
  });
  // Balancing controller: runs into the 500-step TimeLimit.
  for (let k = 0; k < 3; k++) {
    cases.push({ state: Array.from({ length: 4 }, () => rng.uniform(-0.05, 0.05)), actions: null, max_steps: 600 });
  }
  return cases;
}

/** A snapshot that puts a session env at `state`, fresh episode (elapsed 0): the public way in. */
function snapshotAt(state: number[]): Uint8Array {
  const env = new CartPoleEnv();
  env.reset(0);
  env.setStateVector(state);
  const header = {
    env_id: 'CartPole-v1',
    kwargs: canonicalKwargs(KWARGS),
    elapsed_steps: 0,
    status: 'running' as const,
    pending_seed: null,
  };
  return encodeSnapshot(header, env.getState());
}

let references: Reference[];
const cases = buildCases();

beforeAll(() => {
  if (!existsSync(PYTHON)) {
    throw new Error(`Python venv missing (${PYTHON}): run \`pnpm test:setup\` to create it with gymnasium`);
  }
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`reference script failed (run \`pnpm test:setup\`?):\n${run.stderr}`);
  references = JSON.parse(run.stdout);
});

describe('CartPole-v1 matches Gymnasium', () => {
  it('covers terminations and truncations', () => {
    const endings = references.map((r) => [r.terminated.at(-1), r.truncated.at(-1)]);
    expect(endings.filter(([term]) => term).length).toBeGreaterThanOrEqual(10);
    expect(references.filter((r) => r.truncated.at(-1) && r.observations.length === 500).length).toBe(3);
  });

  cases.forEach((testCase, k) => {
    it(`case ${k}: identical observations, rewards and flags`, () => {
      const reference = references[k];
      const session = new VectorSession({ definition: CARTPOLE_V1, kwargs: KWARGS, numEnvs: 1 });
      session.reset({ seed: 0 });
      session.restore(0, snapshotAt(testCase.state));
      reference.actions.forEach((action, t) => {
        const result = session.step(ndarray('int64', [1], [action]));
        const where = `case ${k} step ${t + 1}`;
        expect(Array.from((result.observations as NDArray<'float32'>).data), where).toEqual(reference.observations[t]);
        expect(result.rewards.data[0], where).toBe(reference.rewards[t]);
        expect(result.terminated.data[0] === 1, where).toBe(reference.terminated[t]);
        expect(result.truncated.data[0] === 1, where).toBe(reference.truncated[t]);
      });
    });
  });
});
