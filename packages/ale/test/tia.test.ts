// TIA behaviour with small assembled kernels (ALE/Stella 2.x model).
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine.js';
import { kernelRom, row, runKernel } from './helpers.js';

describe('TIA', () => {
  it('draws the background and a non-reflected playfield (PF0 repeated on the right half)', () => {
    const m = runKernel(kernelRom('  lda #$80\n  sta COLUBK\n  lda #$1E\n  sta COLUPF\n  lda #$F0\n  sta PF0'));
    const r = row(m, 100);
    for (let x = 0; x < 16; x++) expect(r[x]).toBe(0x1e);
    for (let x = 16; x < 80; x++) expect(r[x]).toBe(0x80);
    for (let x = 80; x < 96; x++) expect(r[x]).toBe(0x1e);
    for (let x = 96; x < 160; x++) expect(r[x]).toBe(0x80);
  });

  it('mirrors the playfield on the right half with CTRLPF reflect', () => {
    const m = runKernel(
      kernelRom('  lda #$80\n  sta COLUBK\n  lda #$1E\n  sta COLUPF\n  lda #$F0\n  sta PF0\n  lda #1\n  sta CTRLPF'),
    );
    const r = row(m, 100);
    for (let x = 144; x < 160; x++) expect(r[x]).toBe(0x1e);
    for (let x = 80; x < 144; x++) expect(r[x]).toBe(0x80);
  });

  it('places player 0 from the beam position of RESP0 (+5 pixel start delay)', () => {
    // After WSYNC: 10 NOPs (20 cycles), STA RESP0 writes on cycle 23 = colour clock 69 -> x = 69 - 68 + 5 = 6.
    const setup =
      '  lda #$44\n  sta COLUP0\n  lda #$80\n  sta GRP0\n  sta WSYNC\n' + '  nop\n'.repeat(10) + '  sta RESP0';
    const m = runKernel(kernelRom(setup));
    const r = row(m, 120);
    expect(r.indexOf(0x44)).toBe(6);
    expect(r.filter((v) => v === 0x44).length).toBe(1);
  });

  it('RESP0 during HBLANK puts the player at x = 3', () => {
    const setup = '  lda #$44\n  sta COLUP0\n  lda #$80\n  sta GRP0\n  sta WSYNC\n  sta RESP0';
    const m = runKernel(kernelRom(setup));
    expect(row(m, 120).indexOf(0x44)).toBe(3);
  });

  it('HMOVE moves the player by the HMP0 nibble and blanks the first 8 pixels of the line', () => {
    const setup =
      '  lda #$44\n  sta COLUP0\n  lda #$0E\n  sta COLUBK\n  lda #$80\n  sta GRP0\n  sta WSYNC\n' +
      '  nop\n'.repeat(10) +
      '  sta RESP0\n  lda #$F0\n  sta HMP0';
    // One HMOVE per frame right after the first WSYNC of the visible loop: +1 pixel per frame.
    const perFrame = '  sta WSYNC\n  sta HMOVE';
    const m = runKernel(kernelRom(setup, '', perFrame), 4);
    // The first frame ends at the first VSYNC; frames 2-4 each moved the player right by 1 (HMP0 = $F0 -> +1).
    expect(row(m, 120).indexOf(0x44)).toBe(6 + 3);
  });

  it('an HMOVE early in a visible line blanks its first 8 pixels', () => {
    const m = runKernel(kernelRom('  lda #$0E\n  sta COLUBK', '  sta HMOVE'));
    const r = row(m, 100);
    for (let x = 0; x < 8; x++) expect(r[x]).toBe(0);
    for (let x = 8; x < 160; x++) expect(r[x]).toBe(0x0e);
  });

  it('latches the player 0 / playfield collision and CXCLR clears it', () => {
    const setup =
      '  lda #$F0\n  sta PF0\n  lda #$FF\n  sta GRP0\n  sta WSYNC\n' +
      '  nop\n'.repeat(10) +
      '  sta RESP0\n  sta CXCLR';
    const perFrame = '  lda CXP0FB\n  sta $80\n  sta CXCLR';
    const m = runKernel(kernelRom(setup, '', perFrame), 3);
    expect(m.riot.ram[0]! & 0x80).toBe(0x80);
    expect(m.tia.collision & 0x0010).toBe(0x0010);
  });

  it('shows nothing but black while VBLANK is on', () => {
    const m = runKernel(kernelRom('  lda #$80\n  sta COLUBK\n  lda #2\n  sta VBLANK'));
    expect(row(m, 50).every((v) => v === 0)).toBe(true);
  });

  it('PAL colour loss recolours the colour registers at the start of a frame after an odd scanline count', () => {
    // COLUBK is written once, before any frame ended; ALE's Stella sets bit 0 of the colours as they stand at
    // the start of each frame that follows a frame with an odd number of scanlines (253 here).
    const m = new Machine(kernelRom('  lda #$80\n  sta COLUBK'), { format: 'PAL' });
    m.runFrame();
    m.runFrame();
    expect(m.tia.scanlineCountForLastFrame % 2).toBe(1);
    m.runFrame();
    expect(row(m, 100)[50]).toBe(0x81);
  });
});
