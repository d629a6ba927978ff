import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCheckpoints, loadLatestCheckpoint, saveCheckpoint } from '../src/run/index.js';

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'vinegym-ckpt-')), 'checkpoints');
});
afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

function bits(array: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

describe('checkpoints', () => {
  it('round-trips typed arrays bit-exactly and JSON values as they were', async () => {
    const weights = new Float32Array([0.1, -0, NaN, Infinity, 1e-45, 3.4e38]);
    const backing = new Float64Array([9, Math.PI, -Number.MIN_VALUE, 2 ** 60 + 1, 7]);
    const view = backing.subarray(1, 4); // non-zero byteOffset
    const json = { step: 12, rng: [1, 2, 3], name: 'trpo', nested: { ok: true, nothing: null } };
    await saveCheckpoint(dir, 12, { 'policy/weights': weights, vf: view, meta: json, count: 5 });

    const loaded = await loadLatestCheckpoint(dir);
    expect(loaded?.iteration).toBe(12);
    const restoredWeights = loaded!.state['policy/weights'] as Float32Array;
    expect(restoredWeights).toBeInstanceOf(Float32Array);
    expect(bits(restoredWeights)).toEqual(bits(weights));
    const restoredVf = loaded!.state.vf as Float64Array;
    expect(restoredVf).toBeInstanceOf(Float64Array);
    expect(bits(restoredVf)).toEqual(bits(view));
    expect(loaded!.state.meta).toEqual(json);
    expect(loaded!.state.count).toBe(5);
  });

  it('keeps the newest N, points latest at the newest and leaves no temp files', async () => {
    for (let i = 1; i <= 5; i++) await saveCheckpoint(dir, i * 10, { w: new Float64Array([i]) }, { keep: 2 });
    expect((await listCheckpoints(dir)).map((c) => c.iteration)).toEqual([40, 50]);
    expect((await readFile(join(dir, 'latest'), 'utf8')).trim()).toBe('iter-00000050');
    expect((await readdir(dir)).filter((name) => name.startsWith('.'))).toEqual([]);
    const loaded = await loadLatestCheckpoint(dir);
    expect(Array.from(loaded!.state.w as Float64Array)).toEqual([5]);
  });

  it('keeps 3 by default and can overwrite the same iteration', async () => {
    for (let i = 1; i <= 4; i++) await saveCheckpoint(dir, i, { v: i });
    await saveCheckpoint(dir, 4, { v: 44 });
    expect((await listCheckpoints(dir)).map((c) => c.iteration)).toEqual([2, 3, 4]);
    expect((await loadLatestCheckpoint(dir))!.state.v).toBe(44);
  });

  it('falls back to an older checkpoint when the newest is damaged', async () => {
    await saveCheckpoint(dir, 1, { w: new Float32Array([1, 2]) });
    const newest = await saveCheckpoint(dir, 2, { w: new Float32Array([3, 4]) });
    await writeFile(join(newest, '0-w.bin'), new Uint8Array(8)); // same length, wrong bytes
    const loaded = await loadLatestCheckpoint(dir);
    expect(loaded?.iteration).toBe(1);
  });

  it('returns undefined when there is no checkpoint and rejects unsupported values', async () => {
    expect(await loadLatestCheckpoint(dir)).toBeUndefined();
    await expect(saveCheckpoint(dir, 1, { bad: new Int32Array(2) })).rejects.toThrow(/Float32Array/);
    await expect(saveCheckpoint(dir, 1, { bad: () => 1 })).rejects.toThrow(/JSON/);
    expect(await loadLatestCheckpoint(dir)).toBeUndefined();
  });
});
