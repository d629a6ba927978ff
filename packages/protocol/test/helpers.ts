import { expect } from 'vitest';
import { VinegymError } from '../src/index.js';

/** Runs `f` and asserts it throws a VinegymError with `code` whose message matches `pattern`. */
export function expectVinegymError(f: () => unknown, code: string, pattern?: RegExp): VinegymError {
  let thrown: unknown;
  try {
    f();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected a VinegymError to be thrown').toBeInstanceOf(VinegymError);
  const err = thrown as VinegymError;
  expect(err.code).toBe(code);
  if (pattern) expect(err.message).toMatch(pattern);
  return err;
}

/** Deterministic uniform [0, 1) generator (mulberry32) so failures reproduce. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The elements of an NDArray as a plain array (numbers, or bigints for 64-bit integer dtypes). */
export function elements(array: { data: ArrayLike<number | bigint> }): (number | bigint)[] {
  return Array.from(array.data);
}
