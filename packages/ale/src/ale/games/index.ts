/**
 * Per-game ALE settings by ale-py ROM name: reward/terminal/lives from RAM, minimal action set, starting actions,
 * default-mode selection (ALE's src/ale/games/supported/<Game>.cpp; RAM addresses as $80-$FF) and the Stella
 * properties ALE's property table gives the ROM (controllers, display).
 */
import { ALL_ACTIONS } from './action-sets.js';
import { BOARD_GAMES } from './board.js';
import { MAZE_GAMES } from './maze.js';
import { PAPER_GAMES } from './paper.js';
import { PLATFORM_GAMES } from './platform.js';
import { SHOOTERS } from './shooters.js';
import { SPORTS_GAMES } from './sports.js';
import { scoreTracker } from './trackers.js';
import type { GameInfo, GameSettings } from './types.js';

export { decimalScore, nibbleDigits } from './trackers.js';
export type { BusReader, GameInfo, GameTracker, ModeConsole, RamReader, StellaProperties } from './types.js';

const named = (table: Record<string, GameSettings>): [string, GameInfo][] =>
  Object.entries(table).map(([name, settings]) => [name, { name, ...settings }]);

export const GAMES: Record<string, GameInfo> = Object.fromEntries(
  [PAPER_GAMES, SHOOTERS, MAZE_GAMES, PLATFORM_GAMES, SPORTS_GAMES, BOARD_GAMES].flatMap(named),
);

/** Behaviour for ROMs without specific settings: no reward, never terminal, 0 lives, full action set, joysticks. */
export function genericGame(name: string, md5 = ''): GameInfo {
  return {
    name,
    md5,
    minimalActions: ALL_ACTIONS,
    createTracker: scoreTracker({ lives: 0, score: () => 0, terminal: () => false }),
  };
}

/** Settings by ale-py ROM name, or by md5; generic settings otherwise. */
export function gameFor(nameOrMd5: string): GameInfo {
  const byName = GAMES[nameOrMd5];
  if (byName) return byName;
  const byMd5 = Object.values(GAMES).find((g) => g.md5 === nameOrMd5);
  return byMd5 ?? genericGame(nameOrMd5);
}
