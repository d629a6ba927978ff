/**
 * Per-game ALE settings as data plus small reward/terminal/lives functions, from ALE's
 * src/ale/games/supported/<Game>.cpp (RAM addresses are offsets into the 128-byte RIOT RAM). Controller and display
 * properties come from ALE's Stella property table (DefProps.hxx) for the ROM's md5.
 */
import { Action as A } from './actions.js';

/** Reads RIOT RAM byte `offset & 0x7f`. */
export type RamReader = (offset: number) => number;

/** Mutable per-episode tracker (RomSettings' state). */
export interface GameTracker {
  reward: number;
  terminal: boolean;
  lives: number;
  reset(): void;
  step(ram: RamReader): void;
  /** Internal state beyond reward/terminal/lives (for state snapshots). */
  snapshot(): number[];
  restore(state: number[]): void;
}

export interface GameInfo {
  /** ale-py ROM name (file roms/<name>.bin). */
  name: string;
  md5: string;
  /** ALE's minimal action set (ids). */
  minimalActions: readonly number[];
  startingActions?: readonly number[];
  controllers?: { left: 'joystick' | 'paddles'; right: 'joystick' | 'paddles'; swapPaddles?: boolean };
  /** Stella property Display.YStart when not the default 34. */
  yStart?: number;
  /** Games whose setMode presses SELECT until RAM[ramOffset] equals the mode, then soft-resets. */
  modeSelect?: { ramOffset: number; selectFrames: number; defaultMode: number };
  createTracker(): GameTracker;
}

/** ALE's getDecimalScore for 1-3 BCD bytes (lowest first). */
export function decimalScore(ram: RamReader, lower: number, middle = -1, higher = -1): number {
  const bcd = (v: number) => 10 * (v >> 4) + (v & 15);
  let score = bcd(ram(lower));
  if (middle >= 0) score += 100 * bcd(ram(middle));
  if (higher >= 0) score += 10000 * bcd(ram(higher));
  return score;
}

/** A tracker from a score function, a terminal test and a lives function. */
function simpleTracker(
  initialLives: number,
  score: (ram: RamReader) => number,
  terminal: (ram: RamReader) => boolean,
  lives?: (ram: RamReader) => number,
): () => GameTracker {
  return () => {
    let last = 0;
    const t: GameTracker = {
      reward: 0,
      terminal: false,
      lives: initialLives,
      reset() {
        t.reward = 0;
        t.terminal = false;
        t.lives = initialLives;
        last = 0;
      },
      step(ram) {
        const s = score(ram);
        t.reward = s - last;
        last = s;
        t.terminal = terminal(ram);
        if (lives) t.lives = lives(ram);
      },
      snapshot: () => [last],
      restore: (v) => {
        last = v[0] ?? 0;
      },
    };
    return t;
  };
}

const pong: GameInfo = {
  name: 'pong',
  md5: '60e0ea3cbe0913d39803477945e9e5ec',
  minimalActions: [A.NOOP, A.FIRE, A.RIGHT, A.LEFT, A.RIGHTFIRE, A.LEFTFIRE],
  controllers: { left: 'paddles', right: 'paddles', swapPaddles: true },
  modeSelect: { ramOffset: 0x96, selectFrames: 2, defaultMode: 0 },
  createTracker: simpleTracker(
    0,
    (ram) => ram(14) - ram(13),
    (ram) => ram(13) === 21 || ram(14) === 21,
  ),
};

function breakoutTracker(): GameTracker {
  let last = 0;
  let started = false;
  const t: GameTracker = {
    reward: 0,
    terminal: false,
    lives: 5,
    reset() {
      t.reward = 0;
      t.terminal = false;
      t.lives = 5;
      last = 0;
      started = false;
    },
    step(ram) {
      const x = ram(77);
      const y = ram(76);
      const score = (x & 0x0f) + 10 * ((x & 0xf0) >> 4) + 100 * (y & 0x0f);
      t.reward = score - last;
      last = score;
      const b = ram(57);
      if (!started && b === 5) started = true;
      t.terminal = started && b === 0;
      t.lives = b;
    },
    snapshot: () => [last, started ? 1 : 0],
    restore: (v) => {
      last = v[0] ?? 0;
      started = v[1] === 1;
    },
  };
  return t;
}

const breakout: GameInfo = {
  name: 'breakout',
  md5: 'f34f08e5eb96e500e851a80be3277a56',
  minimalActions: [A.NOOP, A.FIRE, A.RIGHT, A.LEFT],
  controllers: { left: 'paddles', right: 'joystick', swapPaddles: false },
  modeSelect: { ramOffset: 0xb2, selectFrames: 1, defaultMode: 0 },
  createTracker: breakoutTracker,
};

function beamRiderTracker(): GameTracker {
  let last = 0;
  const t: GameTracker = {
    reward: 0,
    terminal: false,
    lives: 3,
    reset() {
      t.reward = 0;
      t.terminal = false;
      t.lives = 3;
      last = 0;
    },
    step(ram) {
      const score = decimalScore(ram, 9, 10, 11);
      t.reward = score - last;
      last = score;
      t.terminal = ram(5) === 255;
      // At game over ($85 = $FF) ale-py reports 0 lives at once (measured), without waiting for the blink.
      const newLives = (ram(0x85) + 1) & 0xff;
      // Lives drop only after the death animation (the counter blinks during it).
      if (newLives === t.lives - 1 && !t.terminal) {
        if (ram(0x8c) === 0x01) t.lives = newLives;
      } else t.lives = newLives;
    },
    snapshot: () => [last],
    restore: (v) => {
      last = v[0] ?? 0;
    },
  };
  return t;
}

const beamRider: GameInfo = {
  name: 'beam_rider',
  md5: '79ab4123a83dc11d468fb2108ea09e2e',
  minimalActions: [A.NOOP, A.FIRE, A.UP, A.RIGHT, A.LEFT, A.UPRIGHT, A.UPLEFT, A.RIGHTFIRE, A.LEFTFIRE],
  startingActions: [A.RIGHT],
  createTracker: beamRiderTracker,
};

const enduro: GameInfo = {
  name: 'enduro',
  md5: '94b92a882f6dbaa6993a46e2dcc58402',
  minimalActions: [A.NOOP, A.FIRE, A.RIGHT, A.LEFT, A.DOWN, A.DOWNRIGHT, A.DOWNLEFT, A.RIGHTFIRE, A.LEFTFIRE],
  startingActions: [A.FIRE],
  createTracker: simpleTracker(
    0,
    (ram) => {
      const level = ram(0xad);
      if (level === 0) return 0;
      let carsPassed = decimalScore(ram, 0xab, 0xac);
      carsPassed = level === 1 ? 200 - carsPassed : 300 - carsPassed;
      let score = 0;
      if (level >= 2) score = 200 + (level - 2) * 300;
      return score + carsPassed;
    },
    (ram) => ram(0xaf) === 0xff,
  ),
};

function qbertTracker(): GameTracker {
  let last = 0;
  let lastLives = 2;
  const t: GameTracker = {
    reward: 0,
    terminal: false,
    lives: 4,
    reset() {
      t.reward = 0;
      t.terminal = false;
      t.lives = 4;
      last = 0;
      lastLives = 2;
    },
    step(ram) {
      const livesValue = ram(0x88);
      // Lives go 2..0 then 0xFE (death); dying and resetting within one frame shows as 2 after -1.
      t.terminal = livesValue === 0xfe || (livesValue === 0x02 && lastLives === -1);
      const signed = livesValue >= 128 ? livesValue - 256 : livesValue;
      if (lastLives - 1 === signed) t.lives--;
      lastLives = signed;
      if (!t.terminal) {
        const score = decimalScore(ram, 0xdb, 0xda, 0xd9);
        t.reward = score - last;
        last = score;
      } else t.reward = 0;
    },
    snapshot: () => [last, lastLives],
    restore: (v) => {
      last = v[0] ?? 0;
      lastLives = v[1] ?? 2;
    },
  };
  return t;
}

const qbert: GameInfo = {
  name: 'qbert',
  md5: '484b0076816a104875e00467d431c2d2',
  yStart: 40,
  minimalActions: [A.NOOP, A.FIRE, A.UP, A.RIGHT, A.LEFT, A.DOWN],
  createTracker: qbertTracker,
};

const seaquest: GameInfo = {
  name: 'seaquest',
  md5: '240bfbac5163af4df5ae713985386f92',
  minimalActions: Array.from({ length: 18 }, (_, i) => i),
  // ale-py 0.12.1 reports 0 lives once the game is over (measured).
  createTracker: simpleTracker(
    4,
    (ram) => decimalScore(ram, 0xba, 0xb9, 0xb8),
    (ram) => ram(0xa3) !== 0,
    (ram) => (ram(0xa3) !== 0 ? 0 : ram(0xbb) + 1),
  ),
};

function spaceInvadersTracker(): GameTracker {
  let last = 0;
  const t: GameTracker = {
    reward: 0,
    terminal: false,
    lives: 3,
    reset() {
      t.reward = 0;
      t.terminal = false;
      t.lives = 3;
      last = 0;
    },
    step(ram) {
      const score = decimalScore(ram, 0xe8, 0xe6);
      t.reward = score - last;
      // The score wraps at 10000.
      if (t.reward < 0) t.reward = 10000 - last + score;
      last = score;
      t.lives = ram(0xc9);
      t.terminal = (ram(0x98) & 0x80) !== 0 || t.lives === 0;
    },
    snapshot: () => [last],
    restore: (v) => {
      last = v[0] ?? 0;
    },
  };
  return t;
}

const spaceInvaders: GameInfo = {
  name: 'space_invaders',
  md5: '72ffbef6504b75e69ee1045af9075f66',
  minimalActions: [A.NOOP, A.FIRE, A.RIGHT, A.LEFT, A.RIGHTFIRE, A.LEFTFIRE],
  modeSelect: { ramOffset: 0xdc, selectFrames: 2, defaultMode: 0 },
  createTracker: spaceInvadersTracker,
};

export const GAMES: Record<string, GameInfo> = {
  pong, breakout, beam_rider: beamRider, enduro, qbert, seaquest, space_invaders: spaceInvaders,
};

/** Behaviour for ROMs without specific settings: no reward, never terminal, full action set, joysticks. */
export function genericGame(name: string, md5 = ''): GameInfo {
  return {
    name,
    md5,
    minimalActions: Array.from({ length: 18 }, (_, i) => i),
    createTracker: simpleTracker(0, () => 0, () => false),
  };
}

/** Settings by ale-py ROM name, or by md5; generic settings otherwise. */
export function gameFor(nameOrMd5: string): GameInfo {
  const byName = GAMES[nameOrMd5];
  if (byName) return byName;
  const byMd5 = Object.values(GAMES).find((g) => g.md5 === nameOrMd5);
  return byMd5 ?? genericGame(nameOrMd5);
}
