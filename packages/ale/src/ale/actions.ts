/** ALE action ids (src/ale/common/Constants.h). Player B ids are player A ids + 18. */
export const Action = {
  NOOP: 0,
  FIRE: 1,
  UP: 2,
  RIGHT: 3,
  LEFT: 4,
  DOWN: 5,
  UPRIGHT: 6,
  UPLEFT: 7,
  DOWNRIGHT: 8,
  DOWNLEFT: 9,
  UPFIRE: 10,
  RIGHTFIRE: 11,
  LEFTFIRE: 12,
  DOWNFIRE: 13,
  UPRIGHTFIRE: 14,
  UPLEFTFIRE: 15,
  DOWNRIGHTFIRE: 16,
  DOWNLEFTFIRE: 17,
  PLAYER_B_NOOP: 18,
  RESET: 40,
} as const;

export const ACTION_NAMES = [
  'NOOP',
  'FIRE',
  'UP',
  'RIGHT',
  'LEFT',
  'DOWN',
  'UPRIGHT',
  'UPLEFT',
  'DOWNRIGHT',
  'DOWNLEFT',
  'UPFIRE',
  'RIGHTFIRE',
  'LEFTFIRE',
  'DOWNFIRE',
  'UPRIGHTFIRE',
  'UPLEFTFIRE',
  'DOWNRIGHTFIRE',
  'DOWNLEFTFIRE',
] as const;

export interface Directions {
  up: boolean;
  down: boolean;
  left: boolean;
  right: boolean;
  fire: boolean;
}

/** Directions of each of the 18 player actions, computed once: the emulator asks for them every frame. */
const DIRECTIONS: readonly Readonly<Directions>[] = ACTION_NAMES.map((name) =>
  Object.freeze({
    up: name.includes('UP'),
    down: name.includes('DOWN'),
    left: name.includes('LEFT'),
    right: name.includes('RIGHT'),
    fire: name.includes('FIRE'),
  }),
);

/**
 * Joystick directions and fire of a player action (0-17; player B actions are first mapped by -18; anything else
 * is NOOP). The object is shared and frozen.
 */
export function actionDirections(action: number): Readonly<Directions> {
  const a = action >= 18 && action < 36 ? action - 18 : action;
  return DIRECTIONS[a] ?? DIRECTIONS[0]!;
}
