// Which jack player A's joystick is plugged into, per game (Stella's Console.SwapPorts in ALE's properties).
import { describe, expect, it } from 'vitest';
import { Action } from '../src/ale/actions.js';
import { AleEmulator } from '../src/ale/emulator.js';
import { gameFor } from '../src/ale/games/index.js';
import { kernelRom } from './helpers.js';

/** Copies SWCHA (left jack in bits 4-7, right jack in bits 0-3) to RAM $80 every frame. */
const SWCHA_TO_RAM = kernelRom('', '', '  lda $280\n  sta $80');

function swchaAfter(game: string, action: number): number {
  const emu = new AleEmulator(SWCHA_TO_RAM, { ...gameFor(game), md5: '' }, { machine: { format: 'NTSC' } });
  emu.act(action);
  emu.act(action);
  return emu.machine.ram()[0]!;
}

describe('joystick ports', () => {
  it("puts player A's joystick in the left jack by default", () => {
    // UP pulls the jack's bit 0 (of its nibble) low.
    expect(swchaAfter('space_invaders', Action.UP)).toBe(0xef);
  });

  it("puts player A's joystick in the right jack for Wizard of Wor, whose player A is the game's second worrior", () => {
    // ale-py: the worrior whose lives are at $8D enters the dungeon on the right jack's input.
    expect(swchaAfter('wizard_of_wor', Action.UP)).toBe(0xfe);
    expect(swchaAfter('surround', Action.UP)).toBe(0xfe);
  });
});
