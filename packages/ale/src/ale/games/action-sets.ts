/** Minimal action sets written as action names; ALE lists them in ascending id order. */
import { ACTION_NAMES } from '../actions.js';

/** Action ids of space-separated ALE action names ("NOOP FIRE UPRIGHT"), ascending. */
export function actionSet(names: string): readonly number[] {
  const ids = names.split(/\s+/).map((name) => {
    const id = (ACTION_NAMES as readonly string[]).indexOf(name);
    if (id < 0) throw new Error(`unknown ALE action ${name}`);
    return id;
  });
  return [...new Set(ids)].sort((a, b) => a - b);
}

export const ALL_ACTIONS: readonly number[] = ACTION_NAMES.map((_, i) => i);
/** Fire and left/right (the shooters at the bottom of the screen). */
export const FIRE_LEFT_RIGHT = actionSet('NOOP FIRE RIGHT LEFT RIGHTFIRE LEFTFIRE');
/** The eight directions without fire. */
export const EIGHT_WAY = actionSet('NOOP UP RIGHT LEFT DOWN UPRIGHT UPLEFT DOWNRIGHT DOWNLEFT');
/** The eight directions and fire, but never both at once (board games). */
export const EIGHT_WAY_OR_FIRE = actionSet('NOOP FIRE UP RIGHT LEFT DOWN UPRIGHT UPLEFT DOWNRIGHT DOWNLEFT');
/** Four directions, each also with fire. */
export const FOUR_WAY_FIRE = actionSet('NOOP FIRE UP RIGHT LEFT DOWN UPFIRE RIGHTFIRE LEFTFIRE DOWNFIRE');
/** Every action with fire (games where ALE makes fire illegal). */
export const FIRE_ACTIONS = actionSet(
  'FIRE UPFIRE RIGHTFIRE LEFTFIRE DOWNFIRE UPRIGHTFIRE UPLEFTFIRE DOWNRIGHTFIRE DOWNLEFTFIRE',
);

/** `frames` copies of an action (starting sequences that wait or hold a button). */
export const repeatAction = (action: number, frames: number): number[] => new Array<number>(frames).fill(action);
