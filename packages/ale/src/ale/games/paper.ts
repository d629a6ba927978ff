/** The seven games of the TRPO paper (verified against ale-py for 20,000 frames each). */
import { ALL_ACTIONS, FIRE_LEFT_RIGHT, actionSet } from './action-sets.js';
import { selectRam } from './modes.js';
import { decimalScore, scoreTracker, stateTracker, wrapAt } from './trackers.js';
import type { GameSettings } from './types.js';
import { Action as A } from '../actions.js';

export const PAPER_GAMES: Record<string, GameSettings> = {
  pong: {
    md5: '60e0ea3cbe0913d39803477945e9e5ec',
    minimalActions: FIRE_LEFT_RIGHT,
    stella: { leftController: 'paddles', rightController: 'paddles', swapPaddles: true },
    selectMode: selectRam(0x96, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 0,
      score: (ram) => ram(14) - ram(13),
      terminal: (ram) => ram(13) === 21 || ram(14) === 21,
    }),
  },

  breakout: {
    md5: 'f34f08e5eb96e500e851a80be3277a56',
    minimalActions: actionSet('NOOP FIRE RIGHT LEFT'),
    stella: { leftController: 'paddles', rightController: 'joystick' },
    selectMode: selectRam(0xb2, 0),
    createTracker: stateTracker({
      lives: 5,
      state: { score: 0, started: 0 },
      step(ram, s) {
        const score = decimalScore(ram, 77) + 100 * (ram(76) & 0x0f);
        const reward = score - s.score;
        s.score = score;
        const balls = ram(57);
        // The ball counter is 0 before the game starts: only a drop to 0 after 5 is the end.
        if (balls === 5) s.started = 1;
        return { reward, terminal: s.started === 1 && balls === 0, lives: balls };
      },
    }),
  },

  beam_rider: {
    md5: '79ab4123a83dc11d468fb2108ea09e2e',
    minimalActions: actionSet('NOOP FIRE UP RIGHT LEFT UPRIGHT UPLEFT RIGHTFIRE LEFTFIRE'),
    startingActions: [A.RIGHT],
    createTracker: stateTracker({
      lives: 3,
      state: { score: 0 },
      step(ram, s, lives) {
        const score = decimalScore(ram, 9, 10, 11);
        const reward = score - s.score;
        s.score = score;
        const terminal = ram(5) === 255;
        // At game over ($85 = $FF) ale-py reports 0 lives at once (measured), without waiting for the blink.
        const shown = (ram(0x85) + 1) & 0xff;
        // A lost life counts only after the death animation (the counter blinks during it).
        const next = shown === lives - 1 && !terminal && ram(0x8c) !== 0x01 ? lives : shown;
        return { reward, terminal, lives: next };
      },
    }),
  },

  enduro: {
    md5: '94b92a882f6dbaa6993a46e2dcc58402',
    minimalActions: actionSet('NOOP FIRE RIGHT LEFT DOWN DOWNRIGHT DOWNLEFT RIGHTFIRE LEFTFIRE'),
    startingActions: [A.FIRE],
    createTracker: scoreTracker({
      lives: 0,
      score(ram) {
        const level = ram(0xad);
        if (level === 0) return 0;
        // Cars still to pass count down from 200 (day 1) or 300 (later days).
        const carsPassed = (level === 1 ? 200 : 300) - decimalScore(ram, 0xab, 0xac);
        return (level >= 2 ? 200 + (level - 2) * 300 : 0) + carsPassed;
      },
      terminal: (ram) => ram(0xaf) === 0xff,
    }),
  },

  qbert: {
    md5: '484b0076816a104875e00467d431c2d2',
    minimalActions: actionSet('NOOP FIRE UP RIGHT LEFT DOWN'),
    stella: { yStart: 40 },
    createTracker: stateTracker({
      lives: 4,
      state: { score: 0, lastLivesValue: 2 },
      step(ram, s, lives) {
        const value = ram(0x88);
        // Lives go 2..0 then 0xFE (death); dying and resetting within one frame shows as 2 after -1.
        const terminal = value === 0xfe || (value === 0x02 && s.lastLivesValue === -1);
        const signed = value >= 128 ? value - 256 : value;
        const next = s.lastLivesValue - 1 === signed ? lives - 1 : lives;
        s.lastLivesValue = signed;
        if (terminal) return { reward: 0, terminal, lives: next };
        const score = decimalScore(ram, 0xdb, 0xda, 0xd9);
        const reward = score - s.score;
        s.score = score;
        return { reward, terminal, lives: next };
      },
    }),
  },

  seaquest: {
    md5: '240bfbac5163af4df5ae713985386f92',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0xba, 0xb9, 0xb8),
      terminal: (ram) => ram(0xa3) !== 0,
      livesFrom: (ram) => ram(0xbb) + 1,
    }),
  },

  space_invaders: {
    md5: '72ffbef6504b75e69ee1045af9075f66',
    minimalActions: FIRE_LEFT_RIGHT,
    selectMode: selectRam(0xdc, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xe8, 0xe6),
      reward: wrapAt(10000),
      terminal: (ram) => (ram(0x98) & 0x80) !== 0 || ram(0xc9) === 0,
      livesFrom: (ram) => ram(0xc9),
    }),
  },
};
