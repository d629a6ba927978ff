import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plotRuns } from '../src/plot/index.js';
import { RunDirectory } from '../src/run/index.js';

/**
 * SYNTHETIC TEST DATA: fake learning curves, not results of any training. Two configurations ("trpo single-path",
 * "trpo vine") with three seeds each; the vine runs log 1500 env steps per iteration, the single-path runs 1000, and
 * one vine seed stops early, so the env_steps plot has to interpolate and cut to the common range.
 */
async function writeSyntheticRuns(root: string): Promise<string[]> {
  const dirs: string[] = [];
  const configs = [
    { sampler: 'single-path', stepsPerIteration: 1000, ceiling: 300, iterations: [60, 60, 60] },
    { sampler: 'vine', stepsPerIteration: 1500, ceiling: 450, iterations: [60, 60, 50] },
  ];
  for (const { sampler, stepsPerIteration, ceiling, iterations } of configs) {
    for (let seed = 0; seed < 3; seed++) {
      const dir = join(root, sampler, `seed${seed}`);
      const run = await RunDirectory.create(dir, { algo: 'trpo', sampler, seed });
      for (let i = 1; i <= iterations[seed]; i++) {
        const wobble = Math.sin(i * 0.7 + seed * 2) * 25 * (seed + 1);
        await run.appendMetrics({
          iteration: i,
          env_steps: i * stepsPerIteration,
          'time/wall_s': i,
          'rollout/ep_return_mean': ceiling * (1 - Math.exp(-i / 15)) + wobble - 100,
          'train/kl': 0.01,
          'train/entropy': 1 - i / 100,
        });
      }
      dirs.push(dir);
    }
  }
  return dirs;
}

let root: string;
let runDirs: string[];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vinegym-plot-'));
  runDirs = await writeSyntheticRuns(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('plotRuns', () => {
  it('writes an SVG with the group labels and axis titles', async () => {
    const out = join(root, 'plots', 'returns.svg');
    const summary = await plotRuns(runDirs, out, { x: 'iteration', title: 'Synthetic test curves' });
    expect(summary.groups.map((g) => [g.name, g.runCount])).toEqual([
      ['trpo single-path', 3],
      ['trpo vine', 3],
    ]);
    const svg = await readFile(out, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of [
      'trpo single-path (n=3)',
      'trpo vine (n=3)',
      'Iteration',
      'Episode return mean',
      'Synthetic test curves',
    ]) {
      expect(svg).toContain(text);
    }
  });

  it('writes a PNG of sensible size against env steps, on the common x range', async () => {
    const out = join(root, 'plots', 'returns.png');
    const summary = await plotRuns(runDirs, out, { x: 'env_steps' });
    const vine = summary.groups[1].points;
    expect(vine).toHaveLength(200);
    expect(vine[vine.length - 1].x).toBe(50 * 1500); // the short seed ends the common range
    const png = await readFile(out);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBeGreaterThan(1200); // 640 px plot area + axes + legend, at 2x
    expect(width).toBeLessThan(2400);
    expect(height).toBeGreaterThan(800);
    expect(height).toBeLessThan(1400);
  });

  it('plots another metric and each run on its own', async () => {
    const out = join(root, 'plots', 'entropy.svg');
    const summary = await plotRuns(runDirs.slice(0, 2), out, { x: 'iteration', y: 'entropy', groupBy: 'run' });
    expect(summary.groups.map((g) => g.name)).toEqual(['trpo single-path (seed0)', 'trpo single-path (seed1)']);
    expect(await readFile(out, 'utf8')).toContain('Entropy');
  });

  it('rejects unknown output formats', async () => {
    await expect(plotRuns(runDirs, join(root, 'x.jpg'), { x: 'iteration' })).rejects.toThrow(/\.svg or \.png/);
  });
});
