/**
 * The same seed gives the same run as before the redesign: short runs of every algorithm and sampler are
 * repeated with today's code and compared, row by row, with what the code before it recorded
 * (fixtures/before-redesign, see its README). Timings and wall time are left out; every other number must match.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trainConfig } from '../src/train/config.js';
import { train } from '../src/train/trainer.js';

interface Recorded {
  config: Record<string, unknown>;
  rows: Record<string, number | string>[];
}
const recorded = JSON.parse(readFileSync(new URL('./fixtures/before-redesign/metrics.json', import.meta.url), 'utf8')) as Record<string, Recorded>;
const revive = (value: number | string) => (typeof value === 'string' ? Number(value) : value);

describe('behaviour unchanged by the redesign', () => {
  for (const [name, { config, rows }] of Object.entries(recorded)) {
    it(`${name}: the same metrics as before`, async () => {
      const result = await train({ config: trainConfig(config as never), runDir: null, progress: false });
      expect(result.rows.length).toBe(rows.length);
      rows.forEach((before, i) => {
        const now = result.rows[i];
        for (const [key, value] of Object.entries(before)) expect([name, i, key, now[key]]).toEqual([name, i, key, revive(value)]);
      });
    });
  }
});
