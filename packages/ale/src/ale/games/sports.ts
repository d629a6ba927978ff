/** Sports and skill games: ALE's settings. */
import { ALL_ACTIONS, FIRE_ACTIONS, actionSet, repeatAction } from './action-sets.js';
import { selectRam, selectUntil } from './modes.js';
import { decimalScore, scoreTracker, stateTracker } from './trackers.js';
import type { GameSettings, ModeConsole, RamReader } from './types.js';
import { Action as A } from '../actions.js';

/** Boxing: a knock-out shows as 0xC0 and counts 100 points. */
const boxingPoints = (ram: RamReader, offset: number) => (ram(offset) === 0xc0 ? 100 : decimalScore(ram, offset));

/**
 * Double Dunk's default mode: its options menu (reached with SELECT) is walked with DOWN, and each of four yes/no
 * options (bits of $80) is switched off with LEFT; then a soft reset and the starting UPFIRE.
 */
function doubleDunkSelectMode(c: ModeConsole): void {
  const twice = (action: number) => {
    c.act(action);
    c.act(A.NOOP);
  };
  const nextOption = () => {
    const option = c.ram(0xb0);
    for (let i = 0; c.ram(0xb0) === option && i < 1000; i++) twice(A.DOWN);
  };
  const switchOff = (bit: number) => {
    for (let i = 0; (c.ram(0x80) & bit) === bit && i < 1000; i++) twice(A.LEFT);
  };
  c.pressSelect(1);
  nextOption();
  nextOption();
  for (const bit of [0x08, 0x10, 0x04, 0x20]) {
    if (bit !== 0x08) nextOption();
    switchOff(bit);
  }
  c.softReset();
  twice(A.UPFIRE);
}

export const SPORTS_GAMES: Record<string, GameSettings> = {
  bowling: {
    md5: 'c9b7afad3bfd922e006a6bfc1d4f3fe7',
    minimalActions: actionSet('NOOP FIRE UP DOWN UPFIRE DOWNFIRE'),
    selectMode: selectRam(0x82, 0, { frames: 2 }),
    createTracker: scoreTracker({
      score: (ram) => decimalScore(ram, 0xa1, 0xa6),
      terminal: (ram) => ram(0xa4) > 0x10,
    }),
  },
  boxing: {
    md5: 'c3ef5c4653212088eda54dc91d787870',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      score: (ram) => boxingPoints(ram, 0x92) - boxingPoints(ram, 0x93),
      terminal(ram) {
        if (boxingPoints(ram, 0x92) === 100 || boxingPoints(ram, 0x93) === 100) return true;
        // Out of time: the clock is m:ss with the minutes in the high nibble of $90.
        return ram(0x90) >> 4 === 0 && decimalScore(ram, 0x91) === 0;
      },
    }),
  },
  double_dunk: {
    md5: '368d88a6c071caba60b4f778615aae94',
    minimalActions: ALL_ACTIONS,
    startingActions: [A.UPFIRE],
    selectMode: doubleDunkSelectMode,
    createTracker: scoreTracker({
      score: (ram) => decimalScore(ram, 0xf6) - decimalScore(ram, 0xf7),
      terminal: (ram) => (decimalScore(ram, 0xf6) >= 24 || decimalScore(ram, 0xf7) >= 24) && ram(0xfe) === 0xe7,
    }),
  },
  fishing_derby: {
    md5: 'b8865f05676e64f3bec72b9defdacfa7',
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({
      score: (ram) => decimalScore(ram, 0xbd) - decimalScore(ram, 0xbe),
      terminal: (ram) => ram(0xbd) === 0x99 || ram(0xbe) === 0x99,
    }),
  },
  flag_capture: {
    md5: '30512e0e83903fc05541d2f6a6a62654',
    minimalActions: ALL_ACTIONS,
    defaultMode: 8,
    selectMode: selectRam(0xd6, 8, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => decimalScore(ram, 0xea),
      // A 75-second clock.
      terminal: (ram) => decimalScore(ram, 0xeb) === 0,
    }),
  },
  human_cannonball: {
    md5: '7972e5101fa548b952d852db24ad6060',
    minimalActions: ALL_ACTIONS,
    // On the selection screen $B6 holds the mode (from 1) and $B7 the number of players.
    selectMode: selectUntil((ram) => ((ram(0xb6) - 1) & 0xff) === 0 && ram(0xb7) === 1, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => decimalScore(ram, 0xb6),
      // Seven hits or seven misses.
      terminal: (ram) => decimalScore(ram, 0xb6) === 7 || decimalScore(ram, 0xb7) === 7,
    }),
  },
  ice_hockey: {
    md5: 'a4c08c4994eb9d24fb78be1793e82e26',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0x80, 0, { frames: 2 }),
    createTracker: scoreTracker({
      score: (ram) => decimalScore(ram, 0x8a) - decimalScore(ram, 0x8b),
      terminal: (ram) => ram(0x87) === 0 && ram(0x86) === 0,
    }),
  },
  miniature_golf: {
    md5: 'df62a658496ac98a3aa4a6ee5719c251',
    minimalActions: ALL_ACTIONS,
    createTracker: stateTracker({
      lives: 'playing',
      state: { level: 0, par: 0, wrappedHits: 0, shownHits: 0, hitsAtLevelStart: 0, over: 0 },
      step(ram, s) {
        let reward = 0;
        const left = decimalScore(ram, 0x87);
        const right = decimalScore(ram, 0x88);
        const level = decimalScore(ram, 0xaf);
        // A finished hole scores par minus the strokes taken on it; level 0 again ends the game.
        if (level !== s.level) {
          const holeHits = s.shownHits + s.wrappedHits - s.hitsAtLevelStart;
          if (holeHits > 0) reward = s.par - holeHits;
          if (level === 0) s.over = 1;
          s.level = level;
          s.wrappedHits = 0;
          s.hitsAtLevelStart = s.shownHits;
        }
        // Between holes the right display shows par; while playing the left one counts strokes (wrapping at 100).
        if (right !== 0) s.par = right;
        else {
          if (left < s.shownHits) s.wrappedHits += s.shownHits;
          s.shownHits = left;
        }
        return { reward, terminal: s.over === 1 };
      },
    }),
  },
  skiing: {
    md5: 'b76fbadc8ffb1f83e2ca08b6fb4d6c9f',
    minimalActions: actionSet('NOOP RIGHT LEFT'),
    illegalActions: FIRE_ACTIONS,
    startingActions: repeatAction(A.DOWN, 16),
    createTracker: scoreTracker({
      // Elapsed time in centiseconds; every centisecond is -1.
      score: (ram) => 6000 * ram(0xe8) + decimalScore(ram, 0xea, 0xe9),
      reward: (delta) => -delta,
      terminal: (ram) => ram(0x91) === 0xff,
    }),
  },
  surround: {
    md5: '4d7517ae69f95cfbc053be01312b7dba',
    minimalActions: actionSet('NOOP UP RIGHT LEFT DOWN'),
    swapPorts: true,
    // $F9 holds the mode minus one.
    defaultMode: 2,
    selectMode: selectRam(0xf9, 1, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 'playing',
      score: (ram) => decimalScore(ram, 0xf7) - decimalScore(ram, 0xf6),
      terminal: (ram) => decimalScore(ram, 0xf6) === 10 || decimalScore(ram, 0xf7) === 10,
    }),
  },
  tennis: {
    md5: '42cdd6a9e42a3639e190722b8ea3fc51',
    minimalActions: ALL_ACTIONS,
    selectMode: selectRam(0x80, 0, { frames: 2 }),
    createTracker: stateTracker({
      state: { pointsLead: 0, gamesLead: 0 },
      step(ram, s) {
        const myGames = ram(0xc7);
        const theirGames = ram(0xc8);
        const pointsLead = ram(0xc5) - ram(0xc6);
        const gamesLead = myGames - theirGames;
        // A won or lost game counts; otherwise a won or lost point.
        let reward = 0;
        if (gamesLead !== s.gamesLead) reward = gamesLead - s.gamesLead;
        else if (pointsLead !== s.pointsLead) reward = pointsLead - s.pointsLead;
        s.gamesLead = gamesLead;
        s.pointsLead = pointsLead;
        const terminal =
          (myGames >= 6 && gamesLead >= 2) || (theirGames >= 6 && -gamesLead >= 2) || myGames === 7 || theirGames === 7;
        return { reward, terminal };
      },
    }),
  },
  video_pinball: {
    md5: '107cc025334211e6d29da0b6be46aec7',
    minimalActions: actionSet('NOOP FIRE UP RIGHT LEFT DOWN UPFIRE RIGHTFIRE LEFTFIRE'),
    selectMode: selectRam(0xc1, 0, { frames: 2 }),
    createTracker: scoreTracker({
      lives: 3,
      score: (ram) => decimalScore(ram, 0xb0, 0xb2, 0xb4),
      terminal: (ram) => (ram(0xaf) & 1) !== 0,
      // The display shows the ball number, plus an extra-ball flag.
      livesFrom: (ram) => 4 + (ram(0xa8) & 1) - (ram(0x99) & 7),
    }),
  },
};
