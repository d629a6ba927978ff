/** Maze, chase and exploration games: ALE's settings. */
import { ALL_ACTIONS, EIGHT_WAY, FIRE_ACTIONS, FOUR_WAY_FIRE, actionSet, repeatAction } from './action-sets.js';
import { selectRam, selectUntil } from './modes.js';
import { decimalScore, scoreTracker, stateTracker } from './trackers.js';
import type { GameSettings, ModeConsole, RamReader } from './types.js';
import { Action as A } from '../actions.js';

/** Alien's digits are sprite offsets (8 bytes each); 0x80 is a blank. */
function alienScore(ram: RamReader): number {
  const digit = (v: number) => (v === 0x80 ? 0 : v >> 3);
  return 10 * [0x83, 0x85, 0x87, 0x89, 0x8b].reduce((n, a) => 10 * n + digit(ram(a)), 0);
}

/** Adventure's level is in bits 1-2 of $DD; the game debounces SELECT, and level 3 seeds its RNG from the time held. */
function adventureSelectMode(c: ModeConsole): void {
  for (let presses = 0; ((c.ram(0xdd) >> 1) & 3) !== 0 && presses < 1000; presses++) {
    c.pressSelect(2 + (c.rng.next() % 256));
    c.act(A.NOOP);
  }
  c.softReset();
}

export const MAZE_GAMES: Record<string, GameSettings> = {
  adventure: {
    md5: '4b27f5397c442d25f0c418ccdacf1926',
    minimalActions: ALL_ACTIONS,
    selectMode: adventureSelectMode,
    createTracker: stateTracker({
      lives: 'playing',
      state: { reward: 0 },
      step(ram, s) {
        // The chalice in the yellow castle wins; the reward then stays 1 (ALE never clears it).
        const won = ram(0xb9) === 0x12;
        if (won) s.reward = 1;
        return { reward: s.reward, terminal: won || ram(0xe0) === 2 };
      },
    }),
  },
  alien: {
    md5: 'f1a0a23e6464d954e3a9579c4ccd01c8',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0x81, 0),
    createTracker: scoreTracker({
      lives: 3,
      score: alienScore,
      terminal: (ram) => (ram(0xc0) & 15) === 0,
      livesFrom: (ram) => ram(0xc0) & 15,
    }),
  },
  amidar: {
    md5: 'acb7750b4d0c4bd34969802a7deb2990',
    minimalActions: FOUR_WAY_FIRE,
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xd9, 0xda, 0xdb),
      terminal: (ram) => ram(0xd6) === 0x80,
      livesFrom: (ram) => ram(0xd6) & 15,
    }),
  },
  bank_heist: {
    md5: '00ce0bdd43aed84a983bef38fe7f5ee3',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0x80, 0),
    createTracker: scoreTracker({
      lives: 5,
      score: (ram) => decimalScore(ram, 0xda, 0xd9, 0xd8),
      terminal: (ram) => ram(0xce) === 0x01 && ram(0xd5) === 0,
      livesFrom: (ram) => ram(0xd5),
    }),
  },
  darkchambers: {
    md5: '106855474c69d08c8ffa308d47337269',
    minimalActions: ALL_ACTIONS,
    stella: { hmoveBlanks: false },
    // An intro animation ignores all input for about 8 seconds.
    startingActions: repeatAction(A.NOOP, 486),
    createTracker: stateTracker({
      lives: 'playing',
      state: { level: 0, score: 0, over: 0 },
      step(ram, s) {
        let reward = 0;
        const level = ram(0xd5);
        // A level going down, a score going down (overflow) or no health left ends the game.
        if (level < s.level) s.over = 1;
        else {
          s.level = level;
          const score = 10 * decimalScore(ram, 0xcc, 0xcf);
          if (score < s.score) s.over = 1;
          else {
            reward = score - s.score;
            s.score = score;
          }
          if ((ram(0xca) & 0x1f) === 0) s.over = 1;
        }
        return { reward, terminal: s.over === 1 };
      },
    }),
  },
  earthworld: {
    md5: '5aea9974b975a6a844e6df10d2b861c4',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 'playing',
      // The number of clues found; the tenth ends the game.
      score: (ram) => decimalScore(ram, 0xa7),
      terminal: (ram) => decimalScore(ram, 0xa7) === 10,
    }),
  },
  entombed: {
    md5: '6b683be69f92958abe0e2a9945157ad5',
    minimalActions: ALL_ACTIONS,
    startingActions: [A.FIRE, A.NOOP, A.NOOP, A.NOOP, A.NOOP, A.NOOP],
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => ram(0xe3),
      terminal: (ram) => (ram(0xc7) & 3) === 0,
    }),
  },
  et: {
    md5: '615a3bf251a38eb6638cdc7ffbde5480',
    minimalActions: ALL_ACTIONS,
    // SELECT must be held long for ET to register it.
    selectMode: selectUntil((ram) => ((ram(0xea) - 1) & 0xff) === 0, { frames: 25 }),
    createTracker: scoreTracker({
      lives: 0,
      score: (ram) => decimalScore(ram, 0xe1, 0xe0, 0xdf),
      // ALE's end test asks for 0 lives on the title screen, but lives are $E5 + 1 >= 1: it never ends.
      terminal: () => false,
      livesFrom: (ram) => ram(0xe5) + 1,
    }),
  },
  haunted_house: {
    md5: 'f0a6e99f5875891246c3dbecbf2d2cea',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0xcc, 0, { frames: 2 }),
    createTracker: stateTracker({
      lives: 9,
      state: { matches: 0 },
      step(ram, s) {
        // -1 per match lit, +100 for leaving with the urn.
        const matches = decimalScore(ram, 0x82);
        let reward = matches !== s.matches ? -1 : 0;
        s.matches = matches;
        const escaped = ram(0x99) === 0x44;
        if (escaped) reward += 100;
        const lives = ram(0x96);
        return { reward, terminal: lives === 0 || escaped, lives };
      },
    }),
  },
  lost_luggage: {
    md5: '2d76c5d1aad506442b9e9fb67765e051',
    minimalActions: EIGHT_WAY,
    illegalActions: FIRE_ACTIONS,
    startingActions: [A.FIRE],
    selectMode: selectRam(0x94, 1, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0x96, 0x95, 0x94),
      terminal: (ram) => ram(0xca) === 0 && ram(0xc8) === 0x0a && ram(0xa5) === 0 && ram(0xa9) === 0,
      livesFrom: (ram) => ram(0xca),
    }),
  },
  mr_do: {
    md5: 'aa7bb54d2c189a31bb1fa20099e42859',
    minimalActions: FOUR_WAY_FIRE,
    startingActions: [A.FIRE],
    selectMode: selectRam(0x80, 0, { frames: 5 }),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => 10 * decimalScore(ram, 0x82, 0x83),
      terminal: (ram) => ram(0xda) === 0x40,
      livesFrom: (ram) => ram(0xdb),
    }),
  },
  ms_pacman: {
    md5: '87e79cd41ce136fd4f72cc6e2c161bee',
    minimalActions: EIGHT_WAY,
    stella: { hmoveBlanks: false },
    selectMode: selectUntil((ram) => ram(0x99) === 1 && ram(0xa1) === 1, { frames: 10 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xf8, 0xf9, 0xfa),
      terminal: (ram) => (ram(0xfb) & 15) === 0 && ram(0xa7) === 0x53,
      livesFrom: (ram) => (ram(0xfb) & 7) + 1,
    }),
  },
  pacman: {
    md5: 'fc2233fc116faef0d3c31541717ca2db',
    minimalActions: actionSet('NOOP UP RIGHT LEFT DOWN'),
    selectMode: selectUntil((ram) => ((ram(0xcc) - 1) & 0xff) === 0 && ram(0xe6) === 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0xcc, 0xce, 0xd0),
      terminal: (ram) => ram(0x98) === 0 && ram(0xe4) === 0x3f,
      livesFrom: (ram) => ram(0x98) + 1,
    }),
  },
  superman: {
    md5: 'a9531c763077464307086ec9a1fd057d',
    minimalActions: ALL_ACTIONS,
    createTracker: stateTracker({
      lives: 'playing',
      state: {},
      step(ram) {
        // Entering the Daily Bugle as Clark Kent wins; the reward is the time left of 99:59.
        const room = ram(0x80) | (ram(0x81) << 8);
        const terminal = (ram(0x9f) & 0x40) !== 0 && room === 0xf2ac;
        const seconds = 60 * decimalScore(ram, 0xe3) + decimalScore(ram, 0xe2);
        return { reward: terminal ? 99 * 60 + 59 - seconds : 0, terminal };
      },
    }),
  },
  tutankham: {
    md5: '085322bae40d904f53bdcc56df0593fc',
    minimalActions: actionSet('NOOP UP RIGHT LEFT DOWN UPFIRE RIGHTFIRE LEFTFIRE'),
    selectMode: selectRam(0xab, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0x9c, 0x9a),
      // $81 is 0x84 after power-on, before the first reset.
      terminal: (ram) => ram(0x9e) === 0 && ram(0x81) !== 0x84,
      livesFrom: (ram) => ram(0x9e) & 3,
    }),
  },
  venture: {
    md5: '3e899eba0ca8cd2972da1ae5479b4f0d',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => 100 * decimalScore(ram, 0xc8, 0xc7),
      terminal: (ram) => ram(0xc6) === 0 && ram(0xcd) === 0xff && (ram(0xbf) & 0x80) !== 0,
      livesFrom: (ram) => (ram(0xc6) & 7) + 1,
    }),
  },
  wizard_of_wor: {
    md5: '7e8aa18bc9502eb57daaf5e7c1e94da7',
    minimalActions: FOUR_WAY_FIRE,
    // ALE's player A is the worrior whose lives are at $8D, which the game reads from the right jack.
    swapPorts: true,
    createTracker: scoreTracker({
      lives: 3,
      score(ram) {
        const score = decimalScore(ram, 0x86, 0x88);
        return 100 * (score >= 8000 ? score - 8000 : score);
      },
      terminal: (ram) => (ram(0x8d) & 15) === 0 && ram(0xf4) === 0xf8,
      // The counter drops when a player enters the field; count it only while waiting.
      livesFrom: (ram, current) => ((ram(0xd7) & 1) === 0 ? ram(0x8d) & 15 : current),
    }),
  },
};
