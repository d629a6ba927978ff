import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatIterationLine,
  formatProgressBar,
  ProgressDisplay,
} from '../src/run/index.js';

/** A synthetic metrics row of a TRPO iteration, as the trainer writes it. */
function row(iteration: number, overrides: Record<string, number> = {}): Record<string, number> {
  return {
    iteration,
    env_steps: iteration * 10_000,
    'time/wall_s': iteration,
    'rollout/ep_return_mean': -123.456,
    'rollout/ep_length_mean': 200,
    'rollout/episodes': 5,
    'train/surrogate_before': -0.0012,
    'train/surrogate_after': 0.0034,
    'train/kl': 0.00987,
    'train/entropy': 1.2345,
    'train/line_search_steps': 1,
    'train/explained_variance': 0.873,
    'time/sampling_ms': 1234.4,
    'time/forward_ms': 12,
    'time/gradient_ms': 34,
    'time/cg_ms': 56,
    'time/line_search_ms': 7,
    'time/vf_ms': 89,
    ...overrides,
  };
}

class FakeStream {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('formatIterationLine', () => {
  it('shows the rollout fields and then every metric it is given, compactly', () => {
    expect(formatIterationLine(row(12), 500)).toBe(
      'it  12/500  steps  120.0k  ret   -123.46  len  200.0  surr -1.20e-3→3.40e-3  kl  9.87e-3  ent    1.234  ls 1' +
        '  ev    0.873  ms samp 1234 fwd 12 grad 34 cg 56 ls 7 vf 89',
    );
    // Another algorithm's metrics, under their own names; no TRPO columns.
    const cem = formatIterationLine({
      iteration: 3,
      env_steps: 30_000,
      'rollout/ep_return_mean': 20,
      'cem/best_score': 12.5,
      'time/sampling_ms': 80,
    });
    expect(cem).toBe('it     3  steps   30.0k  ret     20.00  len      -  best_score     12.5  ms samp 80');
  });

  it('keeps columns aligned across iterations and prints NaN and absent fields as "-"', () => {
    const a = formatIterationLine(row(1), 500);
    const b = formatIterationLine(row(480, { 'rollout/ep_return_mean': 5, env_steps: 4_800_000 }), 500);
    expect(a.indexOf('ret')).toBe(b.indexOf('ret'));
    expect(a.indexOf('surr')).toBe(b.indexOf('surr'));
    const { 'train/explained_variance': _ev, ...withoutValueFunction } = row(3, { 'rollout/ep_return_mean': NaN });
    const sparse = formatIterationLine(
      Object.fromEntries(Object.entries(withoutValueFunction).filter(([k]) => !k.startsWith('time/'))),
    );
    expect(sparse).toMatch(/^it {5}3 /);
    expect(sparse).toContain('ret         -');
    expect(sparse).not.toContain('ev');
    expect(sparse).not.toContain('ms');
  });
});

describe('formatting helpers', () => {
  it('formats counts and durations', () => {
    expect([950, 120_000, 1_200_000, 3e9].map(formatCount)).toEqual(['950', '120.0k', '1.20M', '3.00G']);
    expect([45_000, 185_000, 7_620_000, NaN].map(formatDuration)).toEqual(['45s', '3m05s', '2h07m', '-']);
  });

  it('draws a bar with ETA from progress since start', () => {
    const layout = { unit: 'iterations' as const, barWidth: 10, initial: 0 };
    expect(formatProgressBar(25, 100, 60_000, 1.5, layout)).toBe(
      '[###-------]  25/100 it   25.0%  elapsed 1m00s  ETA 3m00s  ret 1.50',
    );
    const resumed = { unit: 'env_steps' as const, barWidth: 4, initial: 50_000 };
    expect(formatProgressBar(75_000, 100_000, 10_000, NaN, resumed)).toBe(
      '[###-]  75.0k/100.0k steps   75.0%  elapsed 10s  ETA 10s  ret -',
    );
  });
});

describe('ProgressDisplay', () => {
  it('prints only plain lines on a non-TTY stream', () => {
    const stream = new FakeStream(false);
    const display = new ProgressDisplay({ total: 500, stream });
    display.iteration(row(1), 500);
    display.log('checkpoint saved');
    display.iteration(row(2), 500);
    display.finish();
    const lines = stream.text.split('\n');
    expect(lines).toHaveLength(4);
    expect(stream.text).not.toContain('\r');
    expect(lines[1]).toBe('checkpoint saved');
  });

  it('on a TTY, redraws the bar in place under the log lines and fits it to the terminal', () => {
    const stream = new FakeStream(true, 60);
    let now = 0;
    const display = new ProgressDisplay({ total: 4, stream, barWidth: 8, now: () => now });
    now = 1000;
    display.iteration(row(1), 4);
    display.log('note');
    now = 2000;
    display.iteration(row(2), 4);
    display.finish();
    expect(stream.text.startsWith('it 1/4')).toBe(true);
    expect(stream.text).toContain('\r\x1b[K[##------]  1/4 it');
    expect(stream.text).toContain('\r\x1b[Knote\n[##------]');
    expect(stream.text).toContain('\r\x1b[K[####----]  2/4 it   50.0%  elapsed 2s  ETA 2s');
    expect(stream.text.endsWith('\n')).toBe(true);
    // eslint-disable-next-line no-control-regex -- the progress bar's own escape sequence is what is split on
    const bars = stream.text.split(/\r\x1b\[K|\n/).filter((part) => part.startsWith('['));
    expect(bars.every((bar) => bar.length <= 59)).toBe(true);
  });
});
