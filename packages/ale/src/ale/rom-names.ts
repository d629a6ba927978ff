/**
 * The single-player games of ale-py 0.12.1 (its Gymnasium ids ALE/<Game>-v5) by ROM name (`roms/<name>.bin` in the
 * installed ale-py). The ROMs themselves are never shipped here. The wheel also has combat, joust, maze_craze and
 * warlords, which have no single-player v5 id.
 */
export const ALE_V5_ROM_NAMES: readonly string[] = [
  'adventure', 'air_raid', 'alien', 'amidar', 'assault', 'asterix', 'asteroids', 'atlantis', 'atlantis2',
  'backgammon', 'bank_heist', 'basic_math', 'battle_zone', 'beam_rider', 'berzerk', 'blackjack', 'bowling', 'boxing',
  'breakout', 'carnival', 'casino', 'centipede', 'chopper_command', 'crazy_climber', 'crossbow', 'darkchambers',
  'defender', 'demon_attack', 'donkey_kong', 'double_dunk', 'earthworld', 'elevator_action', 'enduro', 'entombed',
  'et', 'fishing_derby', 'flag_capture', 'freeway', 'frogger', 'frostbite', 'galaxian', 'gopher', 'gravitar',
  'hangman', 'haunted_house', 'hero', 'human_cannonball', 'ice_hockey', 'jamesbond', 'journey_escape', 'kaboom',
  'kangaroo', 'keystone_kapers', 'king_kong', 'klax', 'koolaid', 'krull', 'kung_fu_master', 'laser_gates',
  'lost_luggage', 'mario_bros', 'miniature_golf', 'montezuma_revenge', 'mr_do', 'ms_pacman', 'name_this_game',
  'othello', 'pacman', 'phoenix', 'pitfall', 'pitfall2', 'pong', 'pooyan', 'private_eye', 'qbert', 'riverraid',
  'road_runner', 'robotank', 'seaquest', 'sir_lancelot', 'skiing', 'solaris', 'space_invaders', 'space_war',
  'star_gunner', 'superman', 'surround', 'tennis', 'tetris', 'tic_tac_toe_3d', 'time_pilot', 'trondead', 'turmoil',
  'tutankham', 'up_n_down', 'venture', 'video_checkers', 'video_chess', 'video_cube', 'video_pinball',
  'wizard_of_wor', 'word_zapper', 'yars_revenge', 'zaxxon',
];

/** Gymnasium game name of a ROM name: "space_invaders" -> "SpaceInvaders" (ale-py's own spelling). */
export function gymGameName(romName: string): string {
  if (romName === 'tic_tac_toe_3d') return 'TicTacToe3D';
  return romName
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
