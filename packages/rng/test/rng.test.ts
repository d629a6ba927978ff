import { describe, expect, it } from 'vitest';
import { Rng } from '../src/index.js';

describe('Rng', () => {
  it('keeps the xoshiro128** stream that env snapshots and recorded runs depend on', () => {
    // Values of the generator as first written for the env server (before it moved to this package).
    const a = new Rng(0);
    expect([a.nextUint32(), a.nextUint32(), a.nextUint32()]).toEqual([1494779991, 2118345000, 1148479955]);
    const b = new Rng(2 ** 40 + 7);
    expect(b.random()).toBe(0.9919050894292036);
    expect(b.integer(10)).toBe(3);
    expect(Array.from(b.getState())).toEqual([
      215, 243, 232, 161, 151, 48, 34, 15, 122, 38, 105, 241, 171, 84, 161, 94,
    ]);
  });

  it('is reproducible, resumable from its JSON state (cached normal included), and roughly normal / uniform', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    a.normal(); // leaves a cached spare: state must carry it
    b.normal();
    const resumed = Rng.fromState(JSON.parse(JSON.stringify(a.state())));
    const draws = Array.from({ length: 5 }, () => [a.normal(), a.uniform(), a.integer(7)]);
    expect(Array.from({ length: 5 }, () => [resumed.normal(), resumed.uniform(), resumed.integer(7)])).toEqual(draws);
    expect(Array.from({ length: 5 }, () => [b.normal(), b.uniform(), b.integer(7)])).toEqual(draws);
    const normals = Array.from({ length: 20000 }, () => a.normal());
    const mean = normals.reduce((s, x) => s + x) / normals.length;
    const variance = normals.reduce((s, x) => s + (x - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    expect(new Rng(1).uniform()).not.toBe(new Rng(2).uniform());
    expect([...a.permutation(10)].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('round-trips the 16-byte state and refuses it while a normal is cached', () => {
    const a = new Rng(9);
    a.uniform(-1, 1);
    const copy = Rng.fromState(a.getState());
    expect(copy.uniform(-1, 1)).toBe(a.uniform(-1, 1));
    expect(copy.uniform()).toBe(a.random());
    a.normal();
    expect(() => a.getState()).toThrow(/state\(\)/);
    expect(() => a.setState(new Uint8Array(15))).toThrow(RangeError);
    expect(() => a.integer(0)).toThrow(RangeError);
    expect(() => new Rng(-1)).toThrow(RangeError);
  });
});

describe('randomSeed', () => {
  it('draws safe integers from the OS entropy source', async () => {
    const { randomSeed } = await import('../src/index.js');
    const seeds = Array.from({ length: 100 }, randomSeed);
    expect(seeds.every((s) => Number.isSafeInteger(s) && s >= 0)).toBe(true);
    expect(new Set(seeds).size).toBe(100);
    expect(Math.max(...seeds)).toBeGreaterThan(2 ** 50);
  });
});
