// Whole-machine behaviour: determinism and state round trips.
import { describe, expect, it } from 'vitest';
import { Machine, writeRgb } from '../src/machine.js';
import { NTSC_PALETTE } from '../src/tia/palette.js';
import { kernelRom } from './helpers.js';

describe('Machine', () => {
  const rom = kernelRom(
    '  lda #$80\n  sta COLUBK\n  lda #$1E\n  sta COLUPF\n  lda #$44\n  sta COLUP0\n  lda #1\n  sta GRP0',
    '  inc $81\n  lda $81\n  sta PF1\n  sta GRP0',
    '  inc $80\n  lda $80\n  sta COLUBK',
  );

  it('is deterministic for the same ROM and seed', () => {
    const a = new Machine(rom, { format: 'NTSC' });
    const b = new Machine(rom, { format: 'NTSC' });
    for (let i = 0; i < 20; i++) {
      a.runFrame();
      b.runFrame();
    }
    expect(a.screen()).toEqual(b.screen());
    expect(a.ram()).toEqual(b.ram());
  });

  it('saveState/loadState round trip continues identically', () => {
    const a = new Machine(rom, { format: 'NTSC' });
    for (let i = 0; i < 10; i++) a.runFrame();
    const state = a.saveState();
    const expected: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      a.runFrame();
      expected.push(a.screen().slice());
    }
    const b = new Machine(rom, { format: 'NTSC' });
    b.loadState(state);
    for (let i = 0; i < 10; i++) {
      b.runFrame();
      expect(Buffer.compare(Buffer.from(b.screen()), Buffer.from(expected[i]!))).toBe(0);
    }
    expect(b.ram()).toEqual(a.ram());
    expect(Buffer.compare(Buffer.from(b.saveState()), Buffer.from(a.saveState()))).toBe(0);
  });

  it('rejects a state of another ROM', () => {
    const a = new Machine(rom, { format: 'NTSC' });
    const other = new Machine(kernelRom('  nop'), { format: 'NTSC' });
    expect(() => other.loadState(a.saveState())).toThrow(/another ROM/);
  });

  it('exports RGB and grayscale through the NTSC palette', () => {
    const a = new Machine(rom, { format: 'NTSC' });
    for (let i = 0; i < 3; i++) a.runFrame();
    const idx = a.screen()[100 * 160 + 50]!;
    const rgb = a.screenRGB();
    const o = (100 * 160 + 50) * 3;
    expect([rgb[o], rgb[o + 1], rgb[o + 2]]).toEqual(Array.from(a.palette.rgb.subarray(idx * 3, idx * 3 + 3)));
    expect(a.screenGrayscale()[100 * 160 + 50]).toBe(a.palette.gray[idx]);
  });

  it('writeRgb: word and byte paths give the palette lookup of every pixel', () => {
    // Aligned and unaligned outputs and sources, lengths with and without a tail of 1-3 pixels; pixels that
    // change every pixel, and runs of one colour (four pixels of one colour are written from a table) of 1-8.
    for (const [length, offset, srcOffset] of [
      [33_600, 0, 0],
      [33_600, 1, 0],
      [33_600, 0, 1],
      [1_001, 0, 0],
      [1_003, 2, 3],
      [3, 0, 0],
    ] as const) {
      const pixels = Uint8Array.from(
        { length: length + srcOffset },
        (_, i) => (i < 16_000 ? i * 37 + (i >> 3) : (i >> (i % 7 === 0 ? 1 : 3)) * 37) & 0xff,
      );
      const src = pixels.subarray(srcOffset);
      const buffer = new Uint8Array(offset + 3 * length + 4).fill(0xaa);
      writeRgb(src, NTSC_PALETTE, buffer.subarray(offset, offset + 3 * length));
      const expected = Uint8Array.from(
        { length: 3 * length },
        (_, o) => NTSC_PALETTE.rgb[src[(o / 3) | 0]! * 3 + (o % 3)]!,
      );
      expect(Buffer.compare(Buffer.from(buffer.subarray(offset, offset + 3 * length)), Buffer.from(expected))).toBe(0);
      expect(buffer[offset + 3 * length]).toBe(0xaa);
    }
  });

  it('skips timer wait loops without changing a thing', () => {
    // Waits for zero on TIM64T, TIM8T and TIM1T (whose reads can miss zero and run into the underflow) and for the
    // underflow (BPL) on TIM64T, with varying values.
    const waits = `
  lda $80
  and #$0F
  sta TIM64T
wu:
  lda INTIM
  bpl wu
  sta COLUPF
  lda $80
  and #$1F
  ora #$04
  sta TIM64T
w64:
  lda INTIM
  bne w64
  sta COLUBK
  lda $80
  and #$0F
  sta $295
w8:
  ldx INTIM
  bne w8
  lda $80
  and #$07
  sta $294
w1:
  ldy INTIM
  bne w1
  inc $80`;
    const waitRom = kernelRom('', '  lda $80\n  sta PF1', waits);
    /** The same machine, but its bus never calls a read idle: every round of the loops runs. */
    class NoSkip extends Machine {
      override idleCountdownReads(): number {
        return 0;
      }
    }
    const fast = new Machine(waitRom, { format: 'NTSC' });
    const slow = new NoSkip(waitRom, { format: 'NTSC' });
    let fastReads = 0;
    let slowReads = 0;
    const read = (m: Machine, count: () => void) => {
      const original = m.read.bind(m);
      m.read = (address, cycle, last) => {
        count();
        return original(address, cycle, last);
      };
    };
    read(fast, () => fastReads++);
    read(slow, () => slowReads++);
    for (let i = 0; i < 40; i++) {
      fast.runFrame();
      slow.runFrame();
      expect(fast.screen()).toEqual(slow.screen());
      expect(fast.instructions).toBe(slow.instructions);
    }
    expect(Buffer.compare(Buffer.from(fast.saveState()), Buffer.from(slow.saveState()))).toBe(0);
    // The TIM64T waits alone are 4-31 intervals of 64 cycles, 7 cycles a round.
    expect(fastReads).toBeLessThan(slowReads - 40 * 30);
  }, 120_000);
});
