/** What the Atari benches share: Gymnasium's env ids of ale-py game names, and the observation kwargs they time. */

/** Gymnasium's id of an ale-py game name: `space_invaders` -> `ALE/SpaceInvaders-v5`. */
export const envIdOf = (game: string) => `ALE/${game.replace(/(^|_)(\w)/g, (_, _u, c: string) => c.toUpperCase())}-v5`;

/** Raw RGB, the RAM (almost no observation bytes: the transport's cost without the frames), the paper's input. */
export const ATARI_OBS_KWARGS = {
  raw: {},
  ram: { obs_type: 'ram' },
  paper: { obs_type: 'grayscale', downsample: 4, frame_stack: 4 },
} as const;
