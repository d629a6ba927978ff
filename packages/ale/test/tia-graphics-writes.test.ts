// A graphics register write may skip rendering first only if it leaves every field drawing reads unchanged.
import { describe, expect, it } from 'vitest';
import { TiaGraphics } from '../src/tia/graphics.js';
import { Mt19937 } from '@vinegym/rng';

/** Fields only HMOVE reads (not drawing): writes to the motion registers may change them while skipping. */
const MOTION_FIELDS = new Set(['hmp0', 'hmp1', 'hmm0', 'hmm1', 'hmbl']);

function drawingState(g: TiaGraphics): string {
  const fields = Object.entries(g).filter(([k]) => !MOTION_FIELDS.has(k) && k !== 'picture');
  return JSON.stringify(fields.map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v]));
}

/**
 * A register write as the TIA applies it to the graphics state (the TIA itself renders before its own registers,
 * $00-$01, CTRLPF, RESxx and HMOVE, so those are not here).
 */
function applyWrite(g: TiaGraphics, addr: number, value: number, clock: number): void {
  if (addr === 0x22) g.writeHmm0(value, clock);
  else g.write(addr, value);
}

describe('TIA writes that cannot change the picture', () => {
  it('skip only writes that leave the drawing state unchanged', () => {
    const rng = new Mt19937(7);
    /** Drawing state when the write asked for a render (the TIA renders with the state before the change). */
    let atRender: string | null = null;
    const g = new TiaGraphics({
      renderBeforeChange: () => {
        atRender ??= drawingState(g);
      },
    });
    g.reset();
    // Registers the graphics state handles; values from a small set so that equal rewrites are frequent.
    const addrs = [
      0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x15, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21,
      0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2b, 0x2c, 0x30,
    ];
    const values = [0x00, 0x02, 0x08, 0x70, 0x61, 0xff];
    let skipped = 0;
    for (let i = 0; i < 20000; i++) {
      const addr = addrs[rng.next() % addrs.length]!;
      const value = values[rng.next() % values.length]!;
      const clock = 1000 + i * 3;
      if (rng.next() % 4 === 0) g.setPlayerPosition(rng.next() % 2 === 0 ? 0 : 1, rng.next() % 160, 1);
      if (rng.next() % 8 === 0) g.vblank = rng.next() % 2 === 0 ? 0x02 : 0;
      // Sometimes exactly Stella's Cosmic Ark condition for HMM0.
      if (addr === 0x22 && rng.next() % 2 === 0) {
        g.lastHmoveClock = clock - 63;
        g.hmm0 = 7;
      }
      const before = drawingState(g);
      atRender = null;
      applyWrite(g, addr, value, clock);
      if (atRender !== null) {
        // Rendered before anything changed.
        expect(atRender).toBe(before);
      } else {
        skipped++;
        // Colour writes during VBLANK may change the colour: it is not shown until a VBLANK write renders.
        if (addr >= 0x06 && addr <= 0x09 && g.vblank & 0x02) continue;
        expect(drawingState(g), `write $${addr.toString(16)} = $${value.toString(16)}`).toBe(before);
      }
    }
    expect(skipped).toBeGreaterThan(1000);
  });
});
