/**
 * Building blocks of the per-game RAM trackers: score decoders and two tracker factories (a general one over named
 * numeric state, and the common "score difference, terminal test, lives" shape).
 */
import type { BusReader, GameTracker, RamReader } from './types.js';

const bcd = (v: number) => 10 * (v >> 4) + (v & 15);

/** ALE's getDecimalScore for 1-3 BCD bytes (lowest first; -1 = absent). */
export function decimalScore(ram: RamReader, lower: number, middle = -1, higher = -1): number {
  let score = bcd(ram(lower));
  if (middle >= 0) score += 100 * bcd(ram(middle));
  if (higher >= 0) score += 10000 * bcd(ram(higher));
  return score;
}

/** A number stored one decimal digit per byte in the low nibble, lowest digit first; nibble `blank` reads as 0. */
export function nibbleDigits(ram: RamReader, addresses: readonly number[], blank = 0xa): number {
  let score = 0;
  for (let i = addresses.length - 1; i >= 0; i--) {
    const d = ram(addresses[i]!) & 15;
    score = 10 * score + (d === blank ? 0 : d);
  }
  return score;
}

/** Reward adjustment for scores that wrap around at `modulus` (a negative difference is a wrap). */
export const wrapAt = (modulus: number) => (delta: number) => (delta < 0 ? delta + modulus : delta);
/** Reward adjustment that drops negative differences (score resets that are not losses). */
export const nonNegative = (delta: number) => Math.max(0, delta);

/** One step's outcome; `lives` omitted keeps the previous value. */
export interface TrackerStep {
  reward: number;
  terminal: boolean;
  lives?: number;
}

export interface StateTrackerSpec<S extends Record<string, number>> {
  /**
   * Lives at reset, then as the step reports them, and 0 once the game is over (ALE's `isTerminal() ? 0 :
   * m_lives`). 'playing': no lives, 1 while playing and 0 once over (the games added to ALE later). Omitted: no
   * lives, always 0 (ALE's default).
   */
  lives?: number | 'playing';
  /** Initial internal state, restored at every reset and kept in snapshots. */
  state: S;
  step(ram: RamReader, state: S, lives: number, peek: BusReader): TrackerStep;
}

/** A tracker over named numeric state. */
export function stateTracker<S extends Record<string, number>>(spec: StateTrackerSpec<S>): () => GameTracker {
  const keys = Object.keys(spec.state) as (keyof S)[];
  const initialLives = spec.lives === 'playing' ? 1 : (spec.lives ?? 0);
  return () => {
    const state = { ...spec.state };
    let lives = initialLives;
    const t: GameTracker = {
      reward: 0,
      terminal: false,
      lives,
      reset() {
        Object.assign(state, spec.state);
        lives = initialLives;
        t.reward = 0;
        t.terminal = false;
        t.lives = lives;
      },
      step(ram, peek) {
        const r = spec.step(ram, state, lives, peek);
        if (r.lives !== undefined) lives = r.lives;
        t.reward = r.reward;
        t.terminal = r.terminal;
        t.lives = r.terminal ? 0 : lives;
      },
      snapshot: () => [lives, ...keys.map((k) => state[k] as number)],
      restore(v) {
        lives = v[0] ?? initialLives;
        keys.forEach((k, i) => {
          (state as Record<keyof S, number>)[k] = v[i + 1] ?? spec.state[k]!;
        });
      },
    };
    return t;
  };
}

export interface ScoreTrackerSpec {
  /** Lives at reset (see StateTrackerSpec). */
  lives?: number | 'playing';
  /** Score at reset (the reward of the first step is the difference to it). */
  initialScore?: number;
  score(ram: RamReader): number;
  terminal(ram: RamReader): boolean;
  /** Lives from RAM (given the current value, for games that update them only at certain times). */
  livesFrom?(ram: RamReader, current: number): number;
  /** Adjusts the score difference (wraps, clamps). */
  reward?(delta: number): number;
  /** At the end the score RAM holds garbage: reward 0 and the score kept. */
  ignoreScoreAtEnd?: boolean;
}

/** The common tracker: reward = change of a RAM-decoded score, a terminal test, lives from RAM. */
export function scoreTracker(spec: ScoreTrackerSpec): () => GameTracker {
  return stateTracker({
    lives: spec.lives,
    state: { score: spec.initialScore ?? 0 },
    step(ram, s, lives) {
      const terminal = spec.terminal(ram);
      const newLives = spec.livesFrom?.(ram, lives);
      if (terminal && spec.ignoreScoreAtEnd) return { reward: 0, terminal, lives: newLives };
      const score = spec.score(ram);
      const delta = score - s.score;
      s.score = score;
      return { reward: spec.reward ? spec.reward(delta) : delta, terminal, lives: newLives };
    },
  });
}
