/**
 * A short run of the protocol fuzzer (scripts/fuzz-server.ts runs 10^6 frames): random and mutated frames
 * against the decoder and a live server on loopback must produce only typed errors, one response per request, in
 * order, and leave the server working.
 */
import { createServer } from '@vinegym/env-server';
import { describe, expect, it } from 'vitest';
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
});
