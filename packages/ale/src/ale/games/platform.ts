/** Platform, climbing, crossing and catching games: ALE's settings. */
import { ALL_ACTIONS, EIGHT_WAY, FIRE_LEFT_RIGHT, actionSet, repeatAction } from './action-sets.js';
import { pressFirst, selectRam, selectUntil } from './modes.js';
import { decimalScore, nibbleDigits, nonNegative, scoreTracker } from './trackers.js';
import type { GameSettings } from './types.js';
import { Action as A } from '../actions.js';

export const PLATFORM_GAMES: Record<string, GameSettings> = {
  asterix: {
    md5: '89a68746eff7f266bbf08de2483abe55',
    minimalActions: EIGHT_WAY,
    startingActions: [A.FIRE],
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xe0, 0xdf, 0xde),
      // The last frame of the death animation with one life left (FIRE there would restart the game).
      terminal: (ram) => ram(0xc7) === 0x01 && (ram(0xd3) & 15) === 1,
      livesFrom: (ram) => ram(0xd3) & 15,
    }),
  },
  crazy_climber: {
    md5: '55ef7b65066428367844342ed59f956c',
    minimalActions: EIGHT_WAY,
    selectMode: selectRam(0x80, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 5,
      // One decimal digit per byte.
      score: (ram) => 100 * (ram(0x82) + 10 * ram(0x83) + 100 * ram(0x84) + 1000 * ram(0x85)),
      reward: nonNegative,
      terminal: (ram) => ram(0xaa) === 0,
      livesFrom: (ram) => ram(0xaa),
    }),
  },
  donkey_kong: {
    md5: '36b20c427975760cb9cf4a47e41369e4',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 2,
      score: (ram) => 100 * decimalScore(ram, 0x88, 0x87),
      terminal: (ram) => ram(0xa3) === 0 && ram(0x8f) === 0x03 && ram(0x8b) === 0x1f,
      livesFrom: (ram) => ram(0xa3),
    }),
  },
  elevator_action: {
    md5: '71f8bacfbdca019113f3f0801849057e',
    minimalActions: ALL_ACTIONS,
    startingActions: repeatAction(A.FIRE, 16),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0x89, 0x88, 0x87),
      // $81 = 0 is the start screen.
      terminal: (ram) => ram(0x83) === 0 && ram(0x81) !== 0,
      livesFrom: (ram) => ram(0x83),
    }),
  },
  freeway: {
    md5: '8e0ab801b1705a740b476b7f588c6d16',
    minimalActions: actionSet('NOOP UP DOWN'),
    selectMode: selectRam(0x80, 0),
    createTracker: scoreTracker({
      score: (ram) => decimalScore(ram, 0xe7),
      reward: (delta) => Math.min(1, Math.max(0, delta)),
      terminal: (ram) => ram(0x96) === 1,
    }),
  },
  frogger: {
    md5: '081e2c114c9c20b61acf25fc95c71bf4',
    minimalActions: actionSet('NOOP UP RIGHT LEFT DOWN'),
    // Odd mode numbers are the one-player games.
    selectMode: selectRam(0xdd, 1, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0xce, 0xcc),
      terminal: (ram) => ram(0xd0) === 0xff,
      livesFrom: (ram) => ram(0xd0),
    }),
  },
  frostbite: {
    md5: '4ca73eb959299471788f0b685c3ba0b5',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0x80, 0),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0xca, 0xc9, 0xc8),
      terminal: (ram) => (ram(0xcc) & 15) === 0 && (ram(0xf1) & 0x80) !== 0,
      livesFrom: (ram) => (ram(0xcc) & 15) + 1,
    }),
  },
  gopher: {
    md5: 'c16c79aad6272baffb8aae9a7fff0864',
    minimalActions: actionSet('NOOP FIRE UP RIGHT LEFT UPFIRE RIGHTFIRE LEFTFIRE'),
    startingActions: [A.FIRE],
    selectMode: selectRam(0xd3, 0, { frames: 5, before: (c) => c.softReset() }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xb2, 0xb1, 0xb0),
      // Lives are the carrots left (bits 0-2 of $B4).
      terminal: (ram) => (ram(0xb4) & 7) === 0,
      livesFrom: (ram) => [0, 1, 1, 2, 1, 2, 2, 3][ram(0xb4) & 7]!,
    }),
  },
  hero: {
    md5: 'fca4a5be1251927027f2c24774a02160',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0x80, 0),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0xb9, 0xb8, 0xb7),
      terminal: (ram) => ram(0xb3) === 0,
      livesFrom: (ram) => ram(0xb3),
    }),
  },
  jamesbond: {
    md5: 'e51030251e440cffaab1ac63438b44ae',
    minimalActions: ALL_ACTIONS,
    // The welcome screen shows the mode plus 0x48.
    selectMode: selectUntil((ram) => ram(0x8c) === 0 || ram(0x8c) === 0x48, { frames: 20 }),
    createTracker: scoreTracker({
      lives: 6,
      score: (ram) => decimalScore(ram, 0xdc, 0xdd, 0xde),
      terminal: (ram) => (ram(0x86) & 15) === 0 && ram(0x8c) === 0x68,
      livesFrom: (ram) => (ram(0x86) & 15) + 1,
    }),
  },
  journey_escape: {
    md5: '718ae62c70af4e5fd8e932fee216948a',
    minimalActions: actionSet(
      'NOOP UP RIGHT LEFT DOWN UPRIGHT UPLEFT DOWNRIGHT DOWNLEFT RIGHTFIRE LEFTFIRE DOWNFIRE UPRIGHTFIRE UPLEFTFIRE DOWNRIGHTFIRE DOWNLEFTFIRE',
    ),
    stella: { height: 230 },
    startingActions: [A.FIRE],
    createTracker: scoreTracker({
      score: (ram) => decimalScore(ram, 0x92, 0x91, 0x90),
      // The starting cash appears as one 50,000 jump.
      reward: (delta) => (delta === 50000 ? 0 : delta),
      terminal: (ram) => ram(0x95) === 0 && ram(0x96) === 0,
    }),
  },
  kaboom: {
    md5: '5428cdfada281c569c74c7308c7f2c26',
    minimalActions: actionSet('NOOP FIRE RIGHT LEFT'),
    startingActions: [A.FIRE],
    stella: { leftController: 'paddles', rightController: 'paddles' },
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => decimalScore(ram, 0xa5, 0xa4, 0xa3),
      terminal: (ram) => ram(0xa1) === 0 || decimalScore(ram, 0xa5, 0xa4, 0xa3) === 999999,
    }),
  },
  kangaroo: {
    md5: '4326edb70ff20d0ee5ba58fa5cb09d60',
    minimalActions: ALL_ACTIONS,
    // The welcome screen shows the mode plus 0x80.
    selectMode: selectUntil((ram) => ram(0xba) === 0 || ram(0xba) === 0x80, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => 100 * decimalScore(ram, 0xa8, 0xa7),
      terminal: (ram) => ram(0xad) === 0xff,
      livesFrom: (ram) => (ram(0xad) & 7) + 1,
    }),
  },
  keystone_kapers: {
    md5: '6c1f3f2e359dbf55df462ccbcdd2f6bf',
    minimalActions: actionSet(
      'NOOP FIRE UP RIGHT LEFT DOWN UPRIGHT UPLEFT DOWNRIGHT DOWNLEFT UPFIRE RIGHTFIRE LEFTFIRE DOWNFIRE',
    ),
    startingActions: [A.RESET],
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0x9c, 0x9b),
      terminal: (ram) => ram(0x96) === 0 && ram(0x88) === 0,
      livesFrom: (ram) => ram(0x96),
    }),
  },
  king_kong: {
    md5: '0dd4c69b5f9a7ae96a7a08329496779a',
    minimalActions: actionSet('NOOP FIRE UP RIGHT LEFT DOWN'),
    // Odd modes are two-player games.
    selectMode: selectRam(0xec, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0x83, 0x82),
      terminal: (ram) => ram(0xee) === 0,
      livesFrom: (ram) => ram(0xee),
    }),
  },
  koolaid: {
    md5: '534e23210dd1993c828d944c6ac4d9fb',
    minimalActions: EIGHT_WAY,
    createTracker: scoreTracker({
      score: (ram) => 100 * decimalScore(ram, 0x81, 0x80),
      terminal: (ram) => ram(0xd1) === 0x80,
    }),
  },
  krull: {
    md5: '4baada22435320d185c95b7dd2bcdb24',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0x9e, 0x9d, 0x9c),
      terminal: (ram) => ram(0x9f) === 0 && ram(0xa2) === 0x03 && ram(0x80) === 0x80,
      livesFrom: (ram) => (ram(0x9f) & 7) + 1,
    }),
  },
  kung_fu_master: {
    md5: '5b92a93b23523ff16e2789b820e2a4c5',
    minimalActions: actionSet(
      'NOOP UP RIGHT LEFT DOWN DOWNRIGHT DOWNLEFT RIGHTFIRE LEFTFIRE DOWNFIRE UPRIGHTFIRE UPLEFTFIRE DOWNRIGHTFIRE DOWNLEFTFIRE',
    ),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0x9a, 0x99, 0x98),
      terminal: (ram) => ram(0x9d) === 0xff,
      livesFrom: (ram) => (ram(0x9d) & 7) + 1,
    }),
  },
  mario_bros: {
    md5: 'e908611d99890733be31733a979c62d8',
    minimalActions: ALL_ACTIONS,
    // FIRE is debounced: wait 10 frames, then hold it for 7.
    startingActions: [...repeatAction(A.NOOP, 10), ...repeatAction(A.FIRE, 7)],
    selectMode: selectRam(0x80, 0, { frames: 5 }),
    createTracker: scoreTracker({
      lives: 0,
      score: (ram) => 100 * decimalScore(ram, 0x8a, 0x89),
      terminal: (ram) => ram(0x87) === 0,
      livesFrom: (ram) => ram(0x87),
    }),
  },
  montezuma_revenge: {
    md5: '3347a6dd59049b15a38394aa2dafa585',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 6,
      score: (ram) => decimalScore(ram, 0x95, 0x94, 0x93),
      terminal: (ram) => ram(0xba) === 0 && ram(0xfe) === 0x60,
      livesFrom: (ram) => (ram(0xba) & 7) + 1,
    }),
  },
  pitfall: {
    md5: '3e90cf23106f2e08b2781e41299de556',
    minimalActions: ALL_ACTIONS,
    startingActions: [A.UP],
    createTracker: scoreTracker({
      lives: 3,
      initialScore: 2000,
      score: (ram) => decimalScore(ram, 0xd7, 0xd6, 0xd5),
      // No lives left and the logo timer running ($9E non-zero while the player has no control).
      terminal: (ram) => ram(0x80) >> 4 === 0 && ram(0x9e) !== 0,
      livesFrom: (ram) => ({ 0xa: 3, 0x8: 2 })[ram(0x80) >> 4] ?? 1,
    }),
  },
  pitfall2: {
    md5: '6d842c96d5a01967be9680080dd5be54',
    minimalActions: ALL_ACTIONS,
    startingActions: [A.UP],
    createTracker: scoreTracker({
      lives: 1,
      initialScore: 4000,
      score: (ram) => decimalScore(ram, 0xc9, 0xc8, 0xc7),
      // No lives and no detectable end screen: ALE ends at the maximum score.
      terminal: (ram) => decimalScore(ram, 0xc9, 0xc8, 0xc7) === 199000,
    }),
  },
  pooyan: {
    md5: '4799a40b6e889370b7ee55c17ba65141',
    minimalActions: actionSet('NOOP FIRE UP DOWN UPFIRE DOWNFIRE'),
    stella: { yStart: 26, height: 220 },
    defaultMode: 0x0a,
    selectMode: selectRam(0xbd, 0x0a, { frames: 2, before: pressFirst(2) }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0x8a, 0x89, 0x88),
      terminal: (ram) => ram(0x96) === 0 && ram(0x98) === 0x05,
      livesFrom: (ram) => (ram(0x96) & 7) + 1,
    }),
  },
  private_eye: {
    md5: 'ef3a4f64b6494ba770862768caf04b86',
    minimalActions: ALL_ACTIONS,
    startingActions: [A.UP],
    selectMode: selectRam(0x80, 0, { frames: 2 }),
    createTracker: scoreTracker({
      initialScore: 1000,
      score: (ram) => decimalScore(ram, 0xca, 0xc9, 0xc8),
      // The copyright timer is 0 while playing and 1 at the start.
      terminal: (ram) => ram(0xc2) > 1,
    }),
  },
  road_runner: {
    md5: 'ce5cc62608be2cd3ed8abd844efb8919',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => 100 * nibbleDigits(ram, [0xc9, 0xca, 0xcb, 0xcc]),
      terminal: (ram) => (ram(0xc4) & 7) === 0 && (ram(0xb9) !== 0 || ram(0xbd) !== 0),
      livesFrom: (ram) => (ram(0xc4) & 7) + 1,
    }),
  },
  sir_lancelot: {
    md5: 'dd0cbe5351551a538414fb9e37fc56e8',
    minimalActions: FIRE_LEFT_RIGHT,
    startingActions: [A.RESET, A.LEFT],
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xa0, 0x9f, 0x9e),
      terminal: (ram) => ram(0xa9) === 0 && ram(0xa7) === 0xa0,
      livesFrom: (ram) => ram(0xa9),
    }),
  },
  up_n_down: {
    md5: 'a499d720e7ee35c62424de882a3351b6',
    minimalActions: actionSet('NOOP FIRE UP DOWN UPFIRE DOWNFIRE'),
    stella: { yStart: 30 },
    startingActions: [A.FIRE],
    createTracker: scoreTracker({
      lives: 5,
      score: (ram) => decimalScore(ram, 0x82, 0x81, 0x80),
      terminal: (ram) => ram(0x94) > 0x40 && (ram(0x86) & 15) === 0,
      livesFrom: (ram) => (ram(0x86) & 15) + 1,
    }),
  },
};
