// The shared building blocks of the per-game ALE settings (no ROMs needed).
import { describe, expect, it } from 'vitest';
import { Action as A } from '../src/ale/actions.js';
import { ALL_ACTIONS, actionSet } from '../src/ale/games/action-sets.js';
import { GAMES, gameFor } from '../src/ale/games/index.js';
import { pressFirst, selectRam } from '../src/ale/games/modes.js';
import {
  decimalScore,
  nibbleDigits,
  nonNegative,
  scoreTracker,
  stateTracker,
  wrapAt,
} from '../src/ale/games/trackers.js';
import type { ModeConsole } from '../src/ale/games/types.js';
import { ALE_V5_ROM_NAMES } from '../src/ale/rom-names.js';
import { Mt19937 } from '@vinegym/rng';

/** A RAM reader over a sparse map of $80-$FF addresses. */
const ramOf = (bytes: Record<number, number>) => (offset: number) => bytes[(offset & 0x7f) + 0x80] ?? 0;
const noBus = () => 0;

describe('score decoding', () => {
  it('decimalScore reads 1-3 BCD bytes, lowest first, like ALE getDecimalScore', () => {
    const ram = ramOf({ 0x90: 0x56, 0x91: 0x34, 0x92: 0x12 });
    expect(decimalScore(ram, 0x90)).toBe(56);
    expect(decimalScore(ram, 0x90, 0x91)).toBe(3456);
    expect(decimalScore(ram, 0x90, 0x91, 0x92)).toBe(123456);
    // ALE masks offsets to the 128 RAM bytes.
    expect(decimalScore(ram, 0x10)).toBe(56);
  });

  it('nibbleDigits reads one digit per byte and treats the blank nibble as 0', () => {
    const ram = ramOf({ 0x9c: 0xf3, 0x9d: 0x0a, 0x9e: 0x27 });
    expect(nibbleDigits(ram, [0x9c, 0x9d, 0x9e])).toBe(703);
  });

  it('reward adjustments: wraps and clamps', () => {
    expect(wrapAt(10000)(-9990)).toBe(10);
    expect(wrapAt(10000)(30)).toBe(30);
    expect(nonNegative(-5)).toBe(0);
  });
});

describe('trackers', () => {
  it('scoreTracker: reward is the score change, lives from RAM, 0 lives once the game is over', () => {
    const bytes: Record<number, number> = { 0x80: 0x00, 0x81: 2 };
    const ram = ramOf(bytes);
    const t = scoreTracker({
      lives: 3,
      score: (r) => decimalScore(r, 0x80),
      terminal: (r) => r(0x81) === 0,
      livesFrom: (r) => r(0x81) + 1,
    })();
    t.step(ram, noBus);
    expect([t.reward, t.lives, t.terminal]).toEqual([0, 3, false]);
    bytes[0x80] = 0x25;
    bytes[0x81] = 1;
    t.step(ram, noBus);
    expect([t.reward, t.lives]).toEqual([25, 2]);
    bytes[0x81] = 0;
    t.step(ram, noBus);
    expect([t.reward, t.lives, t.terminal]).toEqual([0, 0, true]);
    t.reset();
    expect([t.reward, t.lives, t.terminal]).toEqual([0, 3, false]);
  });

  it('scoreTracker: initial score and ignoring the score RAM at the end', () => {
    const bytes: Record<number, number> = { 0x80: 0x20, 0x81: 0 };
    const t = scoreTracker({
      initialScore: 1000,
      score: (r) => 100 * decimalScore(r, 0x80),
      terminal: (r) => r(0x81) === 0xff,
      ignoreScoreAtEnd: true,
    })();
    t.step(ramOf(bytes), noBus);
    expect(t.reward).toBe(1000);
    bytes[0x80] = 0x99;
    bytes[0x81] = 0xff;
    t.step(ramOf(bytes), noBus);
    expect(t.reward).toBe(0);
  });

  it("games without lives report 0 (ALE's default), or with 'playing' 1 while playing and 0 once over", () => {
    expect(scoreTracker({ score: () => 0, terminal: () => false })().lives).toBe(0);
    const bytes: Record<number, number> = { 0x80: 0 };
    const t = scoreTracker({ lives: 'playing', score: () => 0, terminal: (r) => r(0x80) === 1 })();
    expect(t.lives).toBe(1);
    t.step(ramOf(bytes), noBus);
    expect(t.lives).toBe(1);
    bytes[0x80] = 1;
    t.step(ramOf(bytes), noBus);
    expect(t.lives).toBe(0);
  });

  it('stateTracker keeps named state across snapshot/restore and resets it', () => {
    const make = stateTracker({
      lives: 2,
      state: { count: 0 },
      step: (_ram, s, lives) => ({ reward: ++s.count, terminal: false, lives: lives + 1 }),
    });
    const a = make();
    a.step(ramOf({}), noBus);
    a.step(ramOf({}), noBus);
    const b = make();
    b.restore(a.snapshot());
    b.step(ramOf({}), noBus);
    expect([b.reward, b.lives]).toEqual([3, 5]);
    b.reset();
    b.step(ramOf({}), noBus);
    expect([b.reward, b.lives]).toEqual([1, 3]);
  });
});

describe('mode selection', () => {
  /** A console whose mode byte $80 cycles 0..3 on each SELECT press. */
  function fakeConsole() {
    const bytes: Record<number, number> = { 0x80: 2 };
    const log: string[] = [];
    const c: ModeConsole = {
      ram: ramOf(bytes),
      peek: noBus,
      pressSelect: (frames = 1) => {
        log.push(`select ${frames}`);
        bytes[0x80] = ((bytes[0x80] ?? 0) + 1) % 4;
      },
      softReset: () => log.push('reset'),
      act: (a) => log.push(`act ${a}`),
      rng: new Mt19937(0),
    };
    return { c, log };
  }

  it('selectRam presses SELECT until the RAM byte shows the mode, then soft-resets', () => {
    const { c, log } = fakeConsole();
    selectRam(0x80, 1, { frames: 2 })(c);
    expect(log).toEqual(['select 2', 'select 2', 'select 2', 'reset']);
  });

  it('a first press can open the selection screen', () => {
    const { c, log } = fakeConsole();
    selectRam(0x80, 0, { frames: 10, before: pressFirst(20) })(c);
    expect(log).toEqual(['select 20', 'select 10', 'reset']);
  });
});

describe('game table', () => {
  it('action sets are ascending ALE ids and reject unknown names', () => {
    expect(actionSet('LEFTFIRE NOOP RIGHT')).toEqual([A.NOOP, A.RIGHT, A.LEFTFIRE]);
    expect(() => actionSet('JUMP')).toThrow(/JUMP/);
  });

  it('has ALE settings for every single-player ale-py ROM, with sorted minimal sets', () => {
    expect(ALE_V5_ROM_NAMES.filter((name) => !GAMES[name])).toEqual([]);
    for (const game of Object.values(GAMES)) {
      expect([...game.minimalActions].sort((a, b) => a - b)).toEqual(game.minimalActions);
      expect(game.minimalActions.every((a) => ALL_ACTIONS.includes(a))).toBe(true);
      expect(game.md5).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(gameFor(GAMES.alien!.md5).name).toBe('alien');
  });
});
