/** Test helpers: a 4K test cartridge built from a kernel assembled with the project's assembler. */
import { assemble } from '../src/asm/index.js';
import { Machine } from '../src/machine.js';

export const TIA_EQUATES = `
VSYNC = $00
VBLANK = $01
WSYNC = $02
NUSIZ0 = $04
COLUP0 = $06
COLUP1 = $07
COLUPF = $08
COLUBK = $09
CTRLPF = $0A
REFP0 = $0B
PF0 = $0D
PF1 = $0E
PF2 = $0F
RESP0 = $10
RESP1 = $11
RESBL = $14
GRP0 = $1B
GRP1 = $1C
ENABL = $1F
HMP0 = $20
HMOVE = $2A
HMCLR = $2B
CXCLR = $2C
CXP0FB = $02
CXPPMM = $07
INTIM = $284
TIM64T = $296
`;

/**
 * A 4K ROM that runs `setup` once, then frames of: 3 lines VSYNC, then 250 lines each starting with WSYNC followed
 * by `perLine`. `perFrame` runs right after VSYNC.
 */
export function kernelRom(setup: string, perLine = '', perFrame = ''): Uint8Array {
  const src = `${TIA_EQUATES}
  .org $F000
reset:
  sei
  cld
  ldx #$FF
  txs
${setup}
frame:
  lda #2
  sta VSYNC
  sta WSYNC
  sta WSYNC
  sta WSYNC
  lda #0
  sta VSYNC
${perFrame}
  ldy #250
line:
  sta WSYNC
${perLine}
  dey
  bne line
  jmp frame
  .org $FFFC
  .word reset
  .word reset
`;
  const { bytes } = assemble(src, 0xf000);
  const rom = new Uint8Array(4096);
  rom.set(bytes.subarray(0, 4096));
  return rom;
}

/** A machine on the test ROM, NTSC without format detection, after `frames` frames. */
export function runKernel(rom: Uint8Array, frames = 3): Machine {
  const m = new Machine(rom, { format: 'NTSC' });
  for (let i = 0; i < frames; i++) m.runFrame();
  return m;
}

export function row(m: Machine, y: number): number[] {
  return Array.from(m.screen().subarray(y * 160, y * 160 + 160));
}
