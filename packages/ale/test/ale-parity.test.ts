// Frame-exact parity with ale-py (traces recorded at test time; needs the repo venv with ale-py).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VENV_PYTHON, compareGame } from '../scripts/compare-lib.js';
import { AleEnv } from '../src/ale/env.js';

function requireVenv(): void {
  if (!existsSync(VENV_PYTHON)) throw new Error('Python venv with ale-py missing: run `pnpm test:setup`');
}

describe('ale-py parity', () => {
  it('Pong: every screen pixel, RAM byte, reward, lives and game-over flag match for 300 frames', () => {
    requireVenv();
    const r = compareGame('pong', 300, 3);
    expect(r.firstMismatch).toBeNull();
    expect(r.matchedPrefix).toBe(301);
  }, 120_000);

  it('Breakout (paddles, left jack) matches for 300 frames', () => {
    requireVenv();
    const r = compareGame('breakout', 300, 5);
    expect(r.firstMismatch).toBeNull();
    expect(r.matchedPrefix).toBe(301);
  }, 120_000);

  it('AleEnv: v5 defaults, state round trip, observation shapes', () => {
    requireVenv();
    const env = new AleEnv({ game: 'ALE/Pong-v5', obsType: 'grayscale' });
    expect(env.actionSpace.n).toBe(6);
    const { observation, info } = env.reset(42);
    expect(observation.shape).toEqual([210, 160]);
    expect(info.lives).toBe(0);
    for (let i = 0; i < 20; i++) env.step(i % 6);
    const state = env.getState();
    const after: number[] = [];
    for (let i = 0; i < 20; i++) after.push(env.step((i * 5) % 6).observation.data.reduce((s, v) => s + v, 0));
    env.setState(state);
    for (let i = 0; i < 20; i++)
      expect(env.step((i * 5) % 6).observation.data.reduce((s, v) => s + v, 0)).toBe(after[i]);
  }, 120_000);
});
