// RIOT 6532 timer and ports (Stella 2.x model used by ALE).
import { describe, expect, it } from 'vitest';
import { Riot } from '../src/riot.js';
import { Mt19937 } from '@vinegym/rng';

function makeRiot() {
  const sys = { cycles: 0 };
  const riot = new Riot(sys, { readSwcha: () => 0xff, readSwchb: () => 0x3f, writeSwcha: () => {} });
  riot.reset(new Mt19937(1));
  return { sys, riot };
}

describe('RIOT timer', () => {
  it('TIM64T counts down once per 64 cycles, starting at value - 1', () => {
    const { sys, riot } = makeRiot();
    sys.cycles = 100;
    riot.poke(0x296, 10); // write on cycle 100
    sys.cycles = 101;
    expect(riot.peek(0x284)).toBe(9);
    sys.cycles = 100 + 64;
    expect(riot.peek(0x284)).toBe(9);
    sys.cycles = 100 + 65;
    expect(riot.peek(0x284)).toBe(8);
    sys.cycles = 100 + 10 * 64;
    expect(riot.peek(0x284)).toBe(0);
  });

  it('after underflow counts once per cycle and sets TIMINT until INTIM is read (Stella 2.x model)', () => {
    const { sys, riot } = makeRiot();
    sys.cycles = 0;
    riot.poke(0x294, 5); // TIM1T written on cycle 0
    sys.cycles = 5;
    expect(riot.peek(0x284)).toBe(0);
    expect(riot.peek(0x285)).toBe(0x00);
    sys.cycles = 6;
    expect(riot.peek(0x285)).toBe(0x80); // underflowed
    sys.cycles = 8;
    expect(riot.peek(0x285)).toBe(0x80);
    // Reading INTIM two or more cycles after the underflow: 5 - 8 - 1 = -4, then Stella re-bases the count on the
    // read: 5 - 8 - (9 - 5) = -7 -> $F9, and the flag is cleared.
    sys.cycles = 9;
    expect(riot.peek(0x284)).toBe(0xf9);
    expect(riot.peek(0x285)).toBe(0x00);
  });

  it('counts the INTIM reads that stay at or above a value while the timer counts down', () => {
    const { sys, riot } = makeRiot();
    const cases = [
      [0x296, 10, 3, 7, 1],
      [0x295, 200, 40, 7, 1],
      [0x297, 2, 0, 8, 1],
      [0x294, 30, 5, 7, 1],
      [0x296, 1, 9, 7, 1],
      [0x296, 10, 3, 7, 0],
      [0x295, 100, 1, 7, 0],
      [0x294, 9, 2, 7, 0],
    ] as const;
    for (const [address, value, start, period, min] of cases) {
      sys.cycles = start;
      riot.poke(address, value);
      const first = start + 2;
      const n = riot.countdownReads(first, period, min);
      for (let i = 0; i < n; i++) {
        sys.cycles = first + i * period;
        const count = riot.peek(0x284);
        expect(count).toBeGreaterThanOrEqual(min);
        expect(count).toBeLessThan(value);
      }
      // The next read is the first that may be below `min` (for min 1 with an interval above the period: zero).
      sys.cycles = first + n * period;
      if (min === 1 && address !== 0x294) expect(riot.peek(0x284)).toBe(0);
      else expect(riot.countdownReads(first + n * period, period, min)).toBe(0);
    }
  });

  it('T1024T intervals and the power-on timer from the RNG', () => {
    const { sys, riot } = makeRiot();
    riot.poke(0x297, 2);
    sys.cycles = 1024;
    expect(riot.peek(0x284)).toBe(1);
    sys.cycles = 1025;
    expect(riot.peek(0x284)).toBe(0);
  });

  it('ports: SWCHA/SWCHB reads and DDRA', () => {
    const { riot } = makeRiot();
    expect(riot.peek(0x280)).toBe(0xff);
    expect(riot.peek(0x282)).toBe(0x3f);
    riot.poke(0x281, 0xf0);
    expect(riot.peek(0x281)).toBe(0xf0);
  });

  it('rebases its cycle counts when the system counter is reset', () => {
    const { sys, riot } = makeRiot();
    sys.cycles = 5000;
    riot.poke(0x296, 100);
    sys.cycles = 5000 + 640;
    const before = riot.peek(0x284);
    riot.systemCyclesReset(5000);
    sys.cycles = 640;
    expect(riot.peek(0x284)).toBe(before);
  });
});
