// Games whose Stella properties turn the HMOVE blank off draw objects in the 8 leftmost pixels of HMOVE lines.
import { describe, expect, it } from 'vitest';
import { Action } from '../src/ale/actions.js';
import { AleEmulator } from '../src/ale/emulator.js';
import { gameFor } from '../src/ale/games/index.js';
import { kernelRom } from './helpers.js';

/** Missile 0 (white) moved into the 8 leftmost pixels, enabled on every line, with an HMOVE at the start of every line. */
const MISSILE_AT_LEFT_EDGE = kernelRom(
  `  lda #$0E
  sta COLUP0
  lda #2
  sta $1D
  sta WSYNC
  sta RESP0
  sta $12
  lda #$F0
  sta $22
  sta WSYNC
  sta HMOVE
  sta WSYNC
  sta HMCLR`,
  '  sta HMOVE',
);

function leftPixels(game: string): number[] {
  const emu = new AleEmulator(MISSILE_AT_LEFT_EDGE, { ...gameFor(game), md5: '' }, { machine: { format: 'NTSC' } });
  emu.act(Action.NOOP);
  const screen = emu.machine.screen();
  return Array.from(screen.subarray(100 * 160, 100 * 160 + 8));
}

describe('HMOVE blanks per game', () => {
  it('blank the 8 leftmost pixels of HMOVE lines by default', () => {
    expect(leftPixels('space_invaders').some((p) => p !== 0)).toBe(false);
  });

  it('are off for Asteroids (ale-py shows its shots there)', () => {
    expect(leftPixels('asteroids').some((p) => p !== 0)).toBe(true);
    expect(leftPixels('asteroids')).toEqual(expect.arrayContaining([0x0e]));
  });
});
