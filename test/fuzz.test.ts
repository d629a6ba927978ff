/**
 * A short run of the protocol fuzzer (scripts/fuzz-server.ts runs 10^6 frames): random and mutated frames
 * against the decoder and a live server on loopback must produce only typed errors, one response per request, in
 * order, and leave the server working.
 */
import { createServer } from '@vinegym/env-server';
import { describe, expect, it } from 'vitest';
import { BUDGET_BEFORE_HELLO, beforeHelloFrames, fuzzBeforeHello } from './support/fuzz/before-hello.js';
import { fuzzDecoder, fuzzLive } from './support/fuzz/run.js';

describe('protocol fuzzing (fast-check)', () => {
  it('the decoder rejects 2,000 random and mutated frames with typed errors only', () => {
    const report = fuzzDecoder({ frames: 2000, seed: 42, timeLimitMs: 20_000 });
    expect(report.failures).toEqual([]);
    expect(report.frames).toBe(2000);
    expect(report.codes.BAD_REQUEST).toBeGreaterThan(1000);
  });

  it('a live server answers 2,000 fuzzed frames with typed errors, in order, and keeps working', async () => {
    const server = await createServer({ port: 0 });
    try {
      const report = await fuzzLive({ url: server.url, frames: 2000, seed: 7, timeLimitMs: 30_000, batch: 500 });
      expect(report.failures).toEqual([]);
      expect(report.frames).toBe(2000);
      expect(report.codes.INTERNAL).toBeUndefined();
      expect(server.service.stats().sessions).toBeGreaterThan(0); // the fuzzer's own sessions, still there
    } finally {
      await server.close();
    }
    expect(server.service.stats().sessions).toBe(0);
  }, 60_000);

  it('the decoder with the budget before hello rejects 2,000 frames of a peer without the token with typed errors only', () => {
    const report = fuzzDecoder({
      frames: 2000,
      seed: 43,
      timeLimitMs: 20_000,
      arbitrary: beforeHelloFrames(),
      budget: BUDGET_BEFORE_HELLO,
    });
    expect(report.failures).toEqual([]);
    expect(report.frames).toBe(2000);
    expect(report.codes.LIMIT_EXCEEDED).toBeGreaterThan(10);
  });

  it('a server with a token answers 2,000 fuzzed frames before hello as the spec predicts, and keeps working', async () => {
    const server = await createServer({ port: 0, token: 'fuzz-token-never-guessed' });
    try {
      const report = await fuzzBeforeHello({
        url: server.url,
        frames: 2000,
        seed: 11,
        timeLimitMs: 30_000,
        batch: 400,
      });
      expect(report.failures).toEqual([]);
      expect(report.frames).toBeGreaterThan(1500);
      expect(report.codes.UNAUTHORIZED).toBeGreaterThan(0);
      expect(report.codes.LIMIT_EXCEEDED).toBeGreaterThan(0);
      expect(report.codes.ok).toBeUndefined();
      expect(server.service.stats().sessions).toBe(0); // nothing was made without the token
      const health = await fetch(`${server.httpUrl}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await server.close();
    }
  }, 60_000);
});
