/** Shooters: ALE's settings (score/lives RAM, modes, starting actions) for the shoot-'em-ups. */
import { ALL_ACTIONS, FIRE_LEFT_RIGHT, FOUR_WAY_FIRE, actionSet, repeatAction } from './action-sets.js';
import { pressFirst, selectRam, selectUntil } from './modes.js';
import { decimalScore, nibbleDigits, nonNegative, scoreTracker, stateTracker, wrapAt } from './trackers.js';
import type { GameSettings, RamReader } from './types.js';
import { Action as A } from '../actions.js';

/** River Raid's digits are sprite offsets: 8 bytes per digit. */
const riverRaidDigit = (v: number) => (v % 8 === 0 && v <= 72 ? v / 8 : 0);

/** Battle Zone: thousands in the high nibble of $9D, ten- and hundred-thousands in $9E; nibble 10 is a blank. */
function battleZoneScore(ram: RamReader): number {
  const digit = (v: number) => (v === 10 ? 0 : v);
  const low = ram(0x9d);
  const high = ram(0x9e);
  return 1000 * (digit(low >> 4) + 10 * digit(high & 15) + 100 * digit(high >> 4));
}

export const SHOOTERS: Record<string, GameSettings> = {
  air_raid: {
    md5: '35be55426c1fec32dfb503b4f0651572',
    minimalActions: FIRE_LEFT_RIGHT,
    startingActions: [A.FIRE],
    defaultMode: 1,
    selectMode: selectRam(0xaa, 1, { frames: 10, before: pressFirst(20) }),
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => decimalScore(ram, 0xaa, 0xa9, 0xa8),
      terminal: (ram) => ram(0xa7) === 0xff,
    }),
  },
  assault: {
    md5: 'de78b3a064d374390ac0710f95edde92',
    minimalActions: actionSet('NOOP FIRE UP RIGHT LEFT RIGHTFIRE LEFTFIRE'),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0x82, 0x81, 0x80),
      terminal: (ram) => ram(0xe5) === 0,
      livesFrom: (ram) => ram(0xe5),
    }),
  },
  asteroids: {
    md5: 'ccbd36746ed4525821a8083b0d6d2c2c',
    // Stella draws no HMOVE blanks for this cartridge: shots in the 8 leftmost pixels stay visible in ale-py.
    stella: { hmoveBlanks: false },
    minimalActions: actionSet(
      'NOOP FIRE UP RIGHT LEFT DOWN UPRIGHT UPLEFT UPFIRE RIGHTFIRE LEFTFIRE DOWNFIRE UPRIGHTFIRE UPLEFTFIRE',
    ),
    selectMode: selectRam(0x80, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => 10 * decimalScore(ram, 0xbe, 0xbd),
      reward: wrapAt(100000),
      terminal: (ram) => ram(0xbc) >> 4 === 0,
      livesFrom: (ram) => ram(0xbc) >> 4,
    }),
  },
  atlantis: {
    md5: '9ad36e699ef6f45d9eb6c4cf90475c9f',
    minimalActions: actionSet('NOOP FIRE RIGHTFIRE LEFTFIRE'),
    selectMode: selectRam(0x8d, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 6,
      // A roll-over increments the lowest digit, hence the odd byte order.
      score: (ram) => 100 * decimalScore(ram, 0xa2, 0xa3, 0xa1),
      terminal: (ram) => ram(0xf1) === 0xff,
      livesFrom: (ram) => ram(0xf1),
      ignoreScoreAtEnd: true,
    }),
  },
  atlantis2: {
    md5: '826481f6fc53ea47c9f272f7050eedf7',
    minimalActions: actionSet('NOOP FIRE RIGHTFIRE LEFTFIRE'),
    createTracker: scoreTracker({
      lives: 0,
      score: (ram) => decimalScore(ram, 0xa1, 0xa2, 0xa3),
      terminal: (ram) => ram(0xf1) === 0xff,
      livesFrom: (ram) => ram(0xf1),
      ignoreScoreAtEnd: true,
    }),
  },
  battle_zone: {
    md5: '41f252a66c6301f1e8ab3612c19bc5d4',
    minimalActions: ALL_ACTIONS,
    stella: { hmoveBlanks: false },
    defaultMode: 1,
    selectMode: selectRam(0xa1, 1, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 5,
      score: battleZoneScore,
      terminal: (ram) => (ram(0xba) & 15) === 0,
      livesFrom: (ram) => ram(0xba) & 15,
    }),
  },
  berzerk: {
    md5: '136f75c4dd02c29283752b7e5799f978',
    minimalActions: ALL_ACTIONS,
    defaultMode: 1,
    selectMode: selectRam(0x80, 1, {
      frames: 2,
      // The game ignores SELECT for a while after a reset.
      before: (c) => {
        for (let i = 0; i < 20; i++) c.act(A.NOOP);
      },
    }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xdf, 0xde, 0xdd),
      terminal: (ram) => ram(0xda) === 0xff,
      livesFrom: (ram) => ram(0xda) + 1,
    }),
  },
  carnival: {
    md5: '028024fb8e5e5f18ea586652f9799c96',
    minimalActions: FIRE_LEFT_RIGHT,
    stella: { yStart: 26, height: 214 },
    createTracker: scoreTracker({
      score: (ram) => 10 * decimalScore(ram, 0xae, 0xad),
      terminal: (ram) => ram(0x83) === 0,
    }),
  },
  centipede: {
    md5: '91c2098e88a6b13f977af8c003e0bca5',
    minimalActions: ALL_ACTIONS,
    defaultMode: 0x16,
    selectMode: selectRam(0xa7, 0x16, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xf6, 0xf5, 0xf4),
      // The score is sometimes cleared before the end.
      reward: nonNegative,
      terminal: (ram) => (ram(0xa6) & 0x40) !== 0,
      livesFrom: (ram) => ((ram(0xed) >> 4) & 7) + 1,
    }),
  },
  chopper_command: {
    md5: 'c1cb228470a87beb5f36e90ac745da26',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0xe0, 0, { frames: 2 }),
    createTracker: stateTracker({
      lives: 3,
      state: { score: 0, started: 0 },
      step(ram, s) {
        const score = 100 * decimalScore(ram, 0xee, 0xec);
        const reward = score - s.score;
        s.score = score;
        const lives = ram(0xe4) & 15;
        // The chopper faces right ($C2 bit 0) once a game runs; lives are 0 on the title screen.
        s.started |= ram(0xc2) & 1;
        return { reward, terminal: s.started === 1 && lives === 0, lives };
      },
    }),
  },
  crossbow: {
    md5: '8cd26dcf249456fe4aeb8db42d49df74',
    minimalActions: ALL_ACTIONS,
    selectMode: selectUntil((ram) => ((ram(0x8d) - 1) & 0xff) === 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => decimalScore(ram, 0x8d, 0x8c, 0x8b),
      terminal: (ram) => ram(0xe7) === 0x82,
    }),
  },
  defender: {
    md5: '0f643c34e40e3f1daafd9c524d3ffe64',
    minimalActions: ALL_ACTIONS,
    defaultMode: 1,
    selectMode: selectRam(0x9b, 1, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => nibbleDigits(ram, [0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1]),
      terminal: (ram) => ram(0xc2) === 0,
      livesFrom: (ram) => ram(0xc2),
    }),
  },
  demon_attack: {
    md5: 'f0e0addc07971561ab80d9abe1b8d333',
    minimalActions: FIRE_LEFT_RIGHT,
    defaultMode: 1,
    selectMode: selectRam(0xea, 1),
    createTracker: scoreTracker({
      lives: 4,
      // The score bytes hold a marker before the first game.
      score: (ram) =>
        ram(0x81) === 0xab && ram(0x83) === 0xcd && ram(0x85) === 0xea ? 0 : decimalScore(ram, 0x85, 0x83, 0x81),
      terminal: (ram) => ram(0xf2) === 0 && ram(0xf1) === 0xbd,
      livesFrom: (ram) => ram(0xf2) + 1,
    }),
  },
  galaxian: {
    md5: '211774f4c5739042618be8ff67351177',
    minimalActions: FIRE_LEFT_RIGHT,
    defaultMode: 1,
    selectMode: selectRam(0xb3, 1),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xae, 0xad, 0xac),
      reward: wrapAt(1000000),
      terminal: (ram) => (ram(0xbf) & 0x80) !== 0,
      livesFrom: (ram) => ram(0xb9) + 1,
    }),
  },
  gravitar: {
    md5: '8ac18076d01a6b63acf6e2cab4968940',
    minimalActions: ALL_ACTIONS,
    startingActions: repeatAction(A.FIRE, 16),
    selectMode: selectRam(0x80, 0, { frames: 10 }),
    createTracker: scoreTracker({
      lives: 6,
      score: (ram) => decimalScore(ram, 0x89, 0x88, 0x87),
      terminal: (ram) => ram(0x81) === 0x01,
      // $81 = 0 is the start screen.
      livesFrom: (ram) => (ram(0x81) === 0 ? 6 : ram(0x84) + 1),
    }),
  },
  laser_gates: {
    md5: '8e4cd60d93fcde8065c1a2b972a26377',
    minimalActions: ALL_ACTIONS,
    startingActions: [A.RESET],
    createTracker: scoreTracker({
      score: (ram) => decimalScore(ram, 0x82, 0x81, 0x80),
      terminal: (ram) => ram(0x83) === 0,
    }),
  },
  name_this_game: {
    md5: '36306070f0c90a72461551a7a4f3a209',
    minimalActions: FIRE_LEFT_RIGHT,
    defaultMode: 8,
    selectMode: selectRam(0xde, 0x08, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xc6, 0xc5, 0xc4),
      terminal: (ram) => (ram(0xc7) & 7) === 0,
      livesFrom: (ram) => ram(0xc7) & 7,
    }),
  },
  phoenix: {
    md5: '7e52a95074a66640fcfde124fffd491a',
    minimalActions: actionSet('NOOP FIRE RIGHT LEFT DOWN RIGHTFIRE LEFTFIRE DOWNFIRE'),
    createTracker: scoreTracker({
      lives: 5,
      score: (ram) => 10 * (10 * decimalScore(ram, 0xc8, 0xc9) + (ram(0xc7) >> 4)),
      terminal: (ram) => ram(0xcc) === 0x80,
      livesFrom: (ram) => ram(0xcb) & 7,
    }),
  },
  riverraid: {
    md5: '393948436d1f4cc3192410bb918f9724',
    minimalActions: ALL_ACTIONS,
    createTracker: stateTracker({
      lives: 4,
      state: { score: 0, livesByte: 0x58 },
      step(ram, s) {
        const score = [0xd7, 0xd5, 0xd3, 0xd1, 0xcf, 0xcd].reduceRight((n, a) => 10 * n + riverRaidDigit(ram(a)), 0);
        const reward = score - s.score;
        s.score = score;
        // $C0: 0x58 before the first flight, 0x59 on the last life, else 8 x (lives - 1).
        const byte = ram(0xc0);
        const terminal = byte === 0x58 && s.livesByte === 0x59;
        s.livesByte = byte;
        const lives = byte === 0x58 ? 4 : byte === 0x59 ? 1 : Math.floor(byte / 8) + 1;
        return { reward, terminal, lives };
      },
    }),
  },
  robotank: {
    md5: '4f618c2429138e0280969193ed6c107e',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 4,
      // Squadrons of 12 tanks.
      score: (ram) => 12 * ram(0xb6) + ram(0xb5),
      terminal: (ram) => ram(0xa8) === 0 && ram(0xb4) === 0xff,
      livesFrom: (ram) => (ram(0xa8) & 15) + 1,
    }),
  },
  solaris: {
    md5: 'e72eb8d4410152bdcb69e7fba327b420',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => 10 * decimalScore(ram, 0xdc, 0xdd, 0xde),
      terminal: (ram) => ram(0xd9) === 0,
      livesFrom: (ram) => ram(0xd9) & 15,
    }),
  },
  space_war: {
    md5: 'b702641d698c60bcdc922dbd8c9dd49c',
    minimalActions: ALL_ACTIONS,
    defaultMode: 6,
    selectMode: selectUntil((ram) => decimalScore(ram, 0xa7) === 6, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => decimalScore(ram, 0xa7),
      // Ten points, or the ten-minute timer at $80 wrapping to 0.
      terminal: (ram) => decimalScore(ram, 0xa7) === 10 || ram(0x80) === 0,
    }),
  },
  star_gunner: {
    md5: 'a3c1c70024d7aabb41381adbfb6d3b25',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0xf4, 0, { frames: 15 }),
    createTracker: stateTracker({
      lives: 5,
      state: { score: 0, started: 0 },
      step(ram, s) {
        const score = 100 * nibbleDigits(ram, [0x83, 0x84, 0x85, 0x86]);
        const reward = score - s.score;
        s.score = score;
        const byte = ram(0x87);
        // The counter shows 6 before the game starts.
        if (byte === 5) s.started = 1;
        return { reward, terminal: byte === 0, lives: s.started ? byte & 15 : 5 };
      },
    }),
  },
  time_pilot: {
    md5: 'fc2104dd2dadf9a6176c1c1c8f87ced9',
    minimalActions: FOUR_WAY_FIRE,
    createTracker: scoreTracker({
      lives: 5,
      score: (ram) => 100 * decimalScore(ram, 0x8d, 0x8f),
      terminal: (ram) => ram(0xa0) !== 0,
      // Lives are only meaningful while flying (screen 2).
      livesFrom: (ram, current) => ((ram(0x80) & 15) === 2 ? (ram(0x8b) & 7) + 1 : current),
    }),
  },
  trondead: {
    md5: 'fb27afe896e7c928089307b32e5642ee',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      lives: 5,
      score: (ram) => decimalScore(ram, 0xbf, 0xbe, 0xbd),
      terminal: (ram) => ram(0xc8) === 5,
      livesFrom: (ram) => 5 - ram(0xc8),
    }),
  },
  turmoil: {
    md5: '7a5463545dfb2dcfdafa6074b2f2c15e',
    minimalActions: actionSet('NOOP FIRE UP RIGHT LEFT DOWN UPRIGHT UPLEFT DOWNRIGHT DOWNLEFT RIGHTFIRE LEFTFIRE'),
    startingActions: [A.FIRE],
    selectMode: selectRam(0xea, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => 10 * (decimalScore(ram, 0x89, 0x8a) + ram(0xd3)),
      terminal: (ram) => ram(0xb9) === 0 && ram(0xc5) === 0x01,
      livesFrom: (ram) => ram(0xb9),
    }),
  },
  yars_revenge: {
    md5: 'c5930d0e8cdae3e037349bfa08e871be',
    minimalActions: ALL_ACTIONS,
    startingActions: [A.FIRE],
    selectMode: selectRam(0xe3, 0, { before: pressFirst(2) }),
    createTracker: scoreTracker({
      lives: 4,
      score: (ram) => decimalScore(ram, 0xe2, 0xe1, 0xe0),
      terminal: (ram) => ram(0x9e) >> 4 === 0,
      livesFrom: (ram) => ram(0x9e) >> 4,
    }),
  },
  zaxxon: {
    md5: 'eea0da9b987d661264cce69a7c13c3bd',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0x82, 0, { frames: 10 }),
    createTracker: scoreTracker({
      lives: 5,
      score: (ram) => 100 * decimalScore(ram, 0xe9, 0xe8),
      terminal: (ram) => (ram(0xea) & 7) === 0,
      livesFrom: (ram) => ram(0xea) & 7,
    }),
  },
};
