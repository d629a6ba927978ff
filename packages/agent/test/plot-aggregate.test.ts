import { describe, expect, it } from 'vitest';
import { aggregateSeries, groupRuns, interpolate, meanStd, runLabel, type LoadedRun } from '../src/plot/index.js';

describe('meanStd', () => {
  it('matches a hand-computed example (sample std, n − 1)', () => {
    // values 2, 4, 9: mean 5; squared deviations 9 + 1 + 16 = 26; variance 26 / 2 = 13.
    const { mean, std } = meanStd([2, 4, 9]);
    expect(mean).toBe(5);
    expect(std).toBeCloseTo(Math.sqrt(13), 12);
    expect(meanStd([7])).toEqual({ mean: 7, std: 0 });
    expect(meanStd([]).mean).toBeNaN();
  });
});

describe('aggregateSeries', () => {
  it('uses shared x values as they are', () => {
    const points = aggregateSeries([
      { x: [0, 1, 2], y: [1, 2, 3] },
      { x: [0, 1, 2], y: [3, 4, 7] },
    ]);
    expect(points.map((p) => [p.x, p.mean, p.n])).toEqual([
      [0, 2, 2],
      [1, 3, 2],
      [2, 5, 2],
    ]);
    // std of {3, 7} = sqrt(((3-5)^2 + (7-5)^2) / 1) = sqrt(8)
    expect(points[2].std).toBeCloseTo(Math.sqrt(8), 12);
  });

  it('interpolates differing grids over the range all runs cover', () => {
    // Run A: y = x on [0, 10]; run B: y = 2x on [2, 8] sampled at 2, 5, 8. Common range [2, 8].
    const points = aggregateSeries(
      [
        { x: [0, 10], y: [0, 10] },
        { x: [2, 5, 8], y: [4, 10, 16] },
      ],
      { gridPoints: 4 },
    );
    expect(points.map((p) => p.x)).toEqual([2, 4, 6, 8]);
    // at x: A = x, B = 2x, mean = 1.5x
    points.forEach((p) => expect(p.mean).toBeCloseTo(1.5 * p.x, 12));
  });

  it('drops non-finite y values and sorts by x', () => {
    const points = aggregateSeries([{ x: [2, 0, 1], y: [3, 1, NaN] }]);
    expect(points.map((p) => [p.x, p.mean, p.std])).toEqual([
      [0, 1, 0],
      [2, 3, 0],
    ]);
  });

  it('returns nothing when the runs share no x range', () => {
    expect(
      aggregateSeries([
        { x: [0, 1], y: [0, 1] },
        { x: [2, 3], y: [0, 1] },
      ]),
    ).toEqual([]);
  });
});

describe('interpolate', () => {
  it('is linear inside the range and NaN outside', () => {
    expect(interpolate({ x: [0, 2, 4], y: [0, 4, 0] }, [-1, 0, 1, 2, 3, 4, 5])).toEqual([NaN, 0, 2, 4, 2, 0, NaN]);
  });
});

describe('labels and groups', () => {
  it('prefers config.label, then algo + sampler, then the parent directory name', () => {
    expect(runLabel('/runs/x/seed1', { label: 'custom', algo: 'trpo' })).toBe('custom');
    expect(runLabel('/runs/x/seed1', { algo: 'trpo', sampler: 'vine' })).toBe('trpo vine');
    expect(runLabel('/runs/x/seed1', { algo: 'trpo' })).toBe('trpo');
    expect(runLabel('/runs/x/seed1', undefined)).toBe('x');
  });

  it('groups by label in order of appearance, or keeps runs apart', () => {
    const run = (dir: string, label: string): LoadedRun => ({ dir, label, rows: [] });
    const runs = [run('/r/a1', 'A'), run('/r/b1', 'B'), run('/r/a2', 'A')];
    expect(groupRuns(runs, 'label').map((g) => [g.name, g.runs.length])).toEqual([
      ['A', 2],
      ['B', 1],
    ]);
    expect(groupRuns(runs, 'run').map((g) => g.name)).toEqual(['A (a1)', 'B (b1)', 'A (a2)']);
  });
});
