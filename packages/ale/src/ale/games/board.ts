/** Board, card, puzzle and word games: ALE's settings. */
import { ALL_ACTIONS, EIGHT_WAY_OR_FIRE, actionSet, repeatAction } from './action-sets.js';
import { selectRam, selectUntil } from './modes.js';
import { decimalScore, scoreTracker, stateTracker } from './trackers.js';
import type { BusReader, GameSettings, ModeConsole, RamReader } from './types.js';
import { Action as A } from '../actions.js';

const signedByte = (v: number) => (v >= 128 ? v - 256 : v);
const PADDLES = { leftController: 'paddles', rightController: 'paddles' } as const;

/** Backgammon: pieces per point as signed counts (player negative). Valid only when both sides add up to 15. */
function backgammonWinner(ram: RamReader): number {
  const playerOut = -signedByte(ram(0x80));
  const computerOut = signedByte(ram(0x8e));
  let playerIn = 0;
  let computerIn = 0;
  for (let a = 0x81; a <= 0x9b; a++) {
    if (a === 0x8e) continue;
    const pieces = signedByte(ram(a));
    if (pieces > 0) computerIn += pieces;
    else playerIn -= pieces;
  }
  if (computerIn + computerOut !== 15 || playerIn + playerOut !== 15) return 0;
  return playerOut === 15 ? 1 : computerOut === 15 ? -1 : 0;
}

/** Video Checkers: men and kings on the 32 squares (four rows of eight bytes with gaps). */
function checkersPieces(ram: RamReader): { black: number; white: number } {
  let black = 0;
  let white = 0;
  for (const [from, to] of [
    [0x80, 0x87],
    [0x89, 0x90],
    [0x92, 0x99],
    [0x9b, 0xa2],
  ] as const) {
    for (let a = from; a <= to; a++) {
      const v = ram(a);
      if (v === 0x10 || v === 0x20) black++;
      else if (v === 0x90 || v === 0xa0) white++;
    }
  }
  return { black, white };
}

/** Video Cube: faces whose nine stickers ($A0-$D5) all have one colour. */
function solvedFaces(ram: RamReader): number {
  let faces = 0;
  for (let f = 0; f < 6; f++) {
    const first = ram(0xa0 + 9 * f);
    let uniform = true;
    for (let i = 1; i < 9 && uniform; i++) uniform = ram(0xa0 + 9 * f + i) === first;
    if (uniform) faces++;
  }
  return faces;
}

/** Video Cube's default mode (game 1) and cube 1 (picked with RIGHT on the title screen). */
function videoCubeSelectMode(c: ModeConsole): void {
  selectUntil((ram) => (ram(0xfb) & 0x1f) === 0, { frames: 2 })(c);
  for (let i = 0; decimalScore(c.ram, 0x9f) !== 1 && i < 1000; i++) c.act(A.RIGHT);
}

/** Klax keeps its state in the cartridge's extra RAM (read port $F080-$F0FF). */
const bcdAt = (peek: BusReader, address: number) => 10 * (peek(address) >> 4) + (peek(address) & 15);

export const BOARD_GAMES: Record<string, GameSettings> = {
  backgammon: {
    md5: '8556b42aa05f94bc29ff39c39b11bff4',
    minimalActions: actionSet('FIRE RIGHT LEFT'),
    stella: PADDLES,
    // A wider paddle range reaches every point of the board.
    paddleMax: 1000000,
    selectMode: selectRam(0xdc, 3),
    createTracker: stateTracker({
      lives: 'playing',
      state: { result: 0 },
      step(ram, s) {
        const winner = backgammonWinner(ram);
        if (winner !== 0) s.result = winner;
        return { reward: s.result, terminal: s.result !== 0 };
      },
    }),
  },
  basic_math: {
    md5: '819aeeb9a2e11deb54e6de334f843894',
    minimalActions: actionSet('NOOP FIRE UP RIGHT LEFT DOWN'),
    defaultMode: 5,
    selectMode: selectRam(0xc5, 5, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => decimalScore(ram, 0x84),
      // The final score screen after ten problems.
      terminal: (ram) => decimalScore(ram, 0x86) !== 0,
    }),
  },
  blackjack: {
    md5: '0a981c03204ac2b278ba392674682560',
    minimalActions: actionSet('NOOP FIRE UP DOWN'),
    stella: { leftController: 'paddles' },
    paddleMax: 795000,
    createTracker: scoreTracker({
      lives: 'playing',
      // Out of chips the display shows "0bbb".
      score: (ram) => (ram(0x86) === 0x0b && ram(0x89) === 0xbb ? 0 : decimalScore(ram, 0x89, 0x86)),
      terminal: (ram) => (ram(0x86) === 0x0b && ram(0x89) === 0xbb) || decimalScore(ram, 0x89, 0x86) >= 1000,
    }),
  },
  casino: {
    md5: 'b816296311019ab69a21cb9e9e235d12',
    minimalActions: actionSet('NOOP FIRE UP DOWN'),
    stella: PADDLES,
    // A second for the shuffle, then FIRE enters player A.
    startingActions: [...repeatAction(A.NOOP, 60), A.FIRE, A.FIRE],
    selectMode: selectRam(0xd4, 0, { frames: 2 }),
    createTracker: stateTracker({
      lives: 'playing',
      state: { score: 0, reward: 0 },
      step(ram, s) {
        const score = decimalScore(ram, 0x95, 0x8c);
        let terminal: boolean;
        if (ram(0xd4) === 3) {
          // Poker solitaire: over when the final score is shown.
          s.reward = score - s.score;
          terminal = score > 0 && ram(0x9e) === 0xaa;
        } else {
          // Blackjack and stud poker: the chips refilled at the end are not a reward, so only count with input on.
          const inputDisabled = (ram(0xd3) & 0x80) !== 0;
          if (!inputDisabled) s.reward = score - s.score;
          terminal = score === 0 || (decimalScore(ram, 0x9e) > 0 && inputDisabled);
        }
        s.score = score;
        return { reward: s.reward, terminal };
      },
    }),
  },
  hangman: {
    md5: 'f16c709df0a6c52f47ff52b9d95b7d8d',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0xee, 0, { frames: 2 }),
    createTracker: stateTracker({
      lives: 'playing',
      state: { player: 0, computer: 0, timer: -1, previousTimer: -1 },
      step(ram, s) {
        // +1 for a guessed word, -1 for a lost one; either ends the episode, as does the game timer running out.
        const player = decimalScore(ram, 0xeb);
        const computer = decimalScore(ram, 0xec);
        const reward = player - s.player - (computer - s.computer);
        s.player = player;
        s.computer = computer;
        s.previousTimer = s.timer;
        s.timer = ram(0xf1);
        return { reward, terminal: reward !== 0 || (s.timer === 0 && s.previousTimer === 255) };
      },
    }),
  },
  klax: {
    md5: 'eed9eaf1a0b6a2b9bc4c8032cb43e3fb',
    minimalActions: ALL_ACTIONS,
    startingActions: [A.FIRE, A.NOOP],
    selectMode: selectUntil((_ram, peek) => peek(0xf0ea) === 0, { frames: 2 }),
    createTracker: stateTracker({
      lives: 'playing',
      state: { score: 0 },
      step(ram, s, _lives, peek) {
        const score = bcdAt(peek, 0xf0b4) + 100 * bcdAt(peek, 0xf0b5) + 10000 * bcdAt(peek, 0xf0b6);
        const reward = score - s.score;
        s.score = score;
        const misses = peek(0xf0ee);
        const maxMisses = peek(0xf0e9);
        // The 25 wells at $B3: flashing grey filler blocks (types 2, 6, 10, 14) of a level bonus do not count.
        let blocks = 0;
        for (let i = 0; i < 25; i++) if (![0, 2, 6, 10, 14].includes(ram(0xb3 + i))) blocks++;
        const terminal =
          (maxMisses > 0 && misses === maxMisses) || (ram(0xa8) === 4 && blocks === 25) || peek(0xf09d) === 0x99;
        return { reward, terminal };
      },
    }),
  },
  othello: {
    md5: '113cd09c9771ac278544b7e90efe7df2',
    minimalActions: EIGHT_WAY_OR_FIRE,
    selectMode: selectUntil((ram) => ((ram(0xde) - 1) & 0xff) === 0, { frames: 2 }),
    createTracker: stateTracker({
      lives: 'playing',
      state: { score: 0, idleFrames: 0 },
      step(ram, s) {
        const score = decimalScore(ram, 0xce) - decimalScore(ram, 0xd0);
        const reward = score - s.score;
        s.score = score;
        // $C0 (whose turn) stays 0 once nobody can move; briefly 0 at other times too.
        s.idleFrames = ram(0xc0) === 0 ? s.idleFrames + 1 : 0;
        return { reward, terminal: s.idleFrames > 50 };
      },
    }),
  },
  tetris: {
    md5: 'b0e1ee07fbc73493eac5651a52f90f00',
    minimalActions: actionSet('NOOP FIRE RIGHT LEFT DOWN'),
    createTracker: stateTracker({
      state: { score: 0 },
      step(ram, s) {
        const score = decimalScore(ram, 0xf1, 0xf2);
        const reward = score > s.score ? score - s.score : 0;
        const terminal = (ram(0xf3) & 0x80) !== 0;
        s.score = terminal ? 0 : score;
        return { reward, terminal };
      },
    }),
  },
  tic_tac_toe_3d: {
    md5: '0db4f4150fecf77e4ce72ca4d04c052f',
    minimalActions: EIGHT_WAY_OR_FIRE,
    selectMode: selectRam(0x88, 0, { frames: 2 }),
    createTracker: stateTracker({
      lives: 'playing',
      state: { over: 0 },
      step(ram, s) {
        let reward = 0;
        // At the end the game's return address $F310 is on the stack; $E1 = 0x08 when X (the player) won.
        if (ram(0xff) === 0xf3 && ram(0xfe) === 0x10) {
          reward = ram(0xe1) === 0x08 ? 1 : -1;
          s.over = 1;
        }
        // A full board (no empty cell in $9A-$D9) is a draw.
        let full = true;
        for (let a = 0x9a; a <= 0xd9 && full; a++) full = ram(a) !== 0;
        if (full) s.over = 1;
        return { reward, terminal: s.over === 1 };
      },
    }),
  },
  video_checkers: {
    md5: '539d26b6e9df0da8e7465f0f5ad863b7',
    minimalActions: actionSet('FIRE UPRIGHT UPLEFT DOWNRIGHT DOWNLEFT'),
    defaultMode: 1,
    selectMode: selectRam(0xf6, 1),
    createTracker: stateTracker({
      lives: 'playing',
      state: { result: 0 },
      step(ram, s) {
        const { black, white } = checkersPieces(ram);
        // The player is white (mode 1 is regular checkers).
        if (black === 0) s.result = -1;
        else if (white === 0) s.result = 1;
        return { reward: s.result, terminal: s.result !== 0 };
      },
    }),
  },
  video_chess: {
    md5: 'f0b7db930ca0e548c41a97160b9f6275',
    minimalActions: EIGHT_WAY_OR_FIRE,
    selectMode: selectRam(0xea, 0),
    createTracker: stateTracker({
      lives: 'playing',
      state: { over: 0 },
      step(ram, s) {
        // Only on white's turn ($E1 = 0x82): the computer's search scribbles over $EE on its own turn.
        let reward = 0;
        if (ram(0xe1) === 0x82) {
          const mate = ram(0xee);
          if (mate === 0x00 || mate === 0x01) {
            reward = mate === 0x00 ? 1 : -1;
            s.over = 1;
          }
        }
        return { reward, terminal: s.over === 1 };
      },
    }),
  },
  video_cube: {
    md5: '3f540a30fdee0b20aed7288e4a5ea528',
    minimalActions: ALL_ACTIONS,
    // About a second on the cube selection screen, then FIRE starts the game.
    startingActions: [...repeatAction(A.NOOP, 61), A.FIRE, A.NOOP, A.NOOP],
    selectMode: videoCubeSelectMode,
    createTracker: stateTracker({
      lives: 'playing',
      state: { faces: 0, timer: 0, previousTimer: 0 },
      step(ram, s) {
        // The game timer at $DB wrapping from 0xFF to 0 hands the cube to the computer: -1 and the end.
        s.previousTimer = s.timer;
        s.timer = ram(0xdb);
        const timedOut = s.timer === 0 && s.previousTimer === 255;
        const faces = solvedFaces(ram);
        const reward = timedOut ? -1 : faces - s.faces;
        s.faces = faces;
        return { reward, terminal: timedOut || faces === 6 };
      },
    }),
  },
  word_zapper: {
    md5: 'ec3beb6d8b5689e867bafb5d5f507491',
    minimalActions: ALL_ACTIONS,
    // An intro of about 8 seconds ignores input; then FIRE starts.
    startingActions: [...repeatAction(A.NOOP, 486), A.FIRE, A.NOOP, A.NOOP],
    selectMode: selectRam(0xdb, 0, { frames: 2 }),
    createTracker: stateTracker({
      lives: 'playing',
      state: { score: 0, reward: 0, over: 0 },
      step(ram, s) {
        // Only while the wall clock runs is the state valid; otherwise the last values stand.
        if (decimalScore(ram, 0xcf) > 0) {
          // Rounds left (from 3) at $DC, wrapping to 0xFF after the last one.
          const score = 2 - signedByte(ram(0xdc));
          s.reward = score - s.score;
          s.score = score;
          s.over = score === 3 || decimalScore(ram, 0xde) === 0 ? 1 : 0;
        }
        return { reward: s.reward, terminal: s.over === 1 };
      },
    }),
  },
};
