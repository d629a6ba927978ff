/** ALE action ids (src/ale/common/Constants.h). Player B ids are player A ids + 18. */
export const Action = {
  NOOP: 0, FIRE: 1, UP: 2, RIGHT: 3, LEFT: 4, DOWN: 5, UPRIGHT: 6, UPLEFT: 7, DOWNRIGHT: 8, DOWNLEFT: 9,
  UPFIRE: 10, RIGHTFIRE: 11, LEFTFIRE: 12, DOWNFIRE: 13, UPRIGHTFIRE: 14, UPLEFTFIRE: 15, DOWNRIGHTFIRE: 16,
  DOWNLEFTFIRE: 17, PLAYER_B_NOOP: 18, RESET: 40,
} as const;

export const ACTION_NAMES = [
  'NOOP', 'FIRE', 'UP', 'RIGHT', 'LEFT', 'DOWN', 'UPRIGHT', 'UPLEFT', 'DOWNRIGHT', 'DOWNLEFT', 'UPFIRE',
  'RIGHTFIRE', 'LEFTFIRE', 'DOWNFIRE', 'UPRIGHTFIRE', 'UPLEFTFIRE', 'DOWNRIGHTFIRE', 'DOWNLEFTFIRE',
] as const;

export interface Directions {
  up: boolean;
  down: boolean;
  left: boolean;
  right: boolean;
  fire: boolean;
}

/** Joystick directions and fire of a player action (0-17; player B actions are first mapped by -18). */
export function actionDirections(action: number): Directions {
  const a = action >= 18 && action < 36 ? action - 18 : action;
  const name = ACTION_NAMES[a] ?? 'NOOP';
  return {
    up: name.includes('UP'),
    down: name.includes('DOWN'),
    left: name.includes('LEFT'),
    right: name.includes('RIGHT'),
    fire: name.includes('FIRE'),
  };
}
