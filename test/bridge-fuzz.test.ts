/**
 * A short run of the bridge fuzzer (scripts/fuzz-bridge.ts runs 10^6 frames): random and mutated frames sent to the
 * Python bridge started the documented way (`python -m vinegym serve`), after hello and, on a bridge with a token,
 * before it. Only typed errors with the right ids, nothing authorized without the token, the bridge keeps working.
 * Needs the repo's .venv with the bridge installed: `pnpm test:setup`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPythonBridge, type PythonBridge } from '../examples/python-bridge/bridge-process.js';
import { fuzzBeforeHello } from './support/fuzz/before-hello.js';
import { fuzzLive } from './support/fuzz/run.js';

let open: PythonBridge | undefined;
let guarded: PythonBridge | undefined;

beforeAll(async () => {
  [open, guarded] = await Promise.all([
    startPythonBridge('CartPole-v1'),
    startPythonBridge('CartPole-v1', ['--token', 'bridge-fuzz-token']),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
});

describe('Python bridge fuzzing (fast-check)', () => {
  it('answers 2,000 fuzzed frames after hello with typed errors, in order, and keeps working', async () => {
    const report = await fuzzLive({ url: open!.url, frames: 2000, seed: 11, timeLimitMs: 60_000, batch: 500 });
    expect(report.failures).toEqual([]);
    expect(report.frames).toBe(2000);
    expect(report.codes.INTERNAL).toBeUndefined();
  }, 90_000);

  it('answers 2,000 fuzzed frames and token guesses before hello as the spec predicts, authorizing nothing', async () => {
    const report = await fuzzBeforeHello({
      url: guarded!.url,
      frames: 2000,
      seed: 13,
      timeLimitMs: 60_000,
      batch: 400,
    });
    expect(report.failures).toEqual([]);
    expect(report.frames).toBeGreaterThan(1500);
    expect(report.codes.UNAUTHORIZED).toBeGreaterThan(0);
    expect(report.codes.LIMIT_EXCEEDED).toBeGreaterThan(0);
    expect(report.codes.ok).toBeUndefined();
    const health = await fetch(guarded!.url.replace('ws://', 'http://').replace('/v1/ws', '/healthz'));
    expect(health.status).toBe(200);
  }, 90_000);
});
