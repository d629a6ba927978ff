// The DPC mapper (Pitfall II) on synthetic images, and on the ale-py ROM against ale-py when it is installed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VENV_PYTHON, aleRomDir, compareGame } from '../scripts/compare-lib.js';
import { createCartridge, detectCartType } from '../src/cart/detect.js';
import { CartDPC } from '../src/cart/dpc.js';
import { DUMMY_READ } from '../src/cpu/index.js';
import { Mt19937 } from '@vinegym/rng';
import { ByteReader, ByteWriter } from '../src/util/bytes.js';

/** 8K program (bank b filled with 0xB0 + b, with markers) + 2K display (byte i = i & 0xff) + 255 spare bytes. */
function dpcImage(): Uint8Array {
  const rom = new Uint8Array(8192 + 2048 + 255);
  for (let b = 0; b < 2; b++) rom.fill(0xb0 + b, b * 4096, (b + 1) * 4096);
  for (let i = 0; i < 2048; i++) rom[8192 + i] = i & 0xff;
  return rom;
}

/** The DPC's shift register by its definition: the new bit is NOT(b7 XOR b5 XOR b4 XOR b3). */
function nextRandom(r: number): number {
  const bit = ((r >> 7) ^ (r >> 5) ^ (r >> 4) ^ (r >> 3)) & 1;
  return ((r << 1) | (bit ^ 1)) & 0xff;
}

const READ = 0x1000;
const WRITE = 0x1040;
/** Register address of data fetcher `index`, function `fn` (reads $1000-$103F, writes $1040-$107F). */
const reg = (base: number, fn: number, index: number) => base + (fn << 3) + index;

describe('DPC cartridge', () => {
  it('is detected by size and starts in bank 1; $1FF8/$1FF9 switch the 4K program bank', () => {
    const rom = dpcImage();
    expect(detectCartType(rom)).toBe('DPC');
    const cart = createCartridge(rom);
    expect(cart.type).toBe('DPC');
    expect(cart.peek(0x1800)).toBe(0xb1);
    cart.peek(0x1ff8);
    expect(cart.bankInfo()).toEqual([0]);
    expect(cart.peek(0x1800)).toBe(0xb0);
    cart.poke(0x1ff9, 0);
    expect(cart.peek(0x1800)).toBe(0xb1);
    cart.peek(0x1ff8);
    cart.reset(new Mt19937());
    expect(cart.bankInfo()).toEqual([1]);
  });

  it('steps the random number generator on chip accesses only, with period 255, and resets it', () => {
    const cart = new CartDPC(dpcImage());
    let expected = 1;
    const seen = new Set<number>();
    for (let i = 0; i < 255; i++) {
      expected = nextRandom(expected);
      seen.add(expected);
      expect(cart.peek(reg(READ, 0, i & 3))).toBe(expected);
    }
    expect(seen.size).toBe(255);
    // Program ROM pages the bus reads directly do not reach the chip.
    cart.peek(0x1800);
    expect(cart.randomNumber).toBe(expected);
    // Any write does (here a bank hot spot), and the hot-spot page's reads do.
    cart.poke(0x1ff9, 0);
    cart.peek(0x1fc0);
    expect(cart.randomNumber).toBe(nextRandom(nextRandom(expected)));
    // The CPU's dummy reads do not (ALE's Stella performs none).
    cart.peek(0x1fc0 | DUMMY_READ);
    cart.peek(reg(READ, 0, 0) | DUMMY_READ);
    expect(cart.randomNumber).toBe(nextRandom(nextRandom(expected)));
    cart.poke(reg(WRITE, 6, 0), 0);
    expect(cart.randomNumber).toBe(1);
  });

  it('data fetchers read the display ROM backwards, with flags between bottom and top', () => {
    const cart = new CartDPC(dpcImage());
    const f = 2;
    cart.poke(reg(WRITE, 0, f), 0x05); // top
    cart.poke(reg(WRITE, 1, f), 0x02); // bottom
    cart.poke(reg(WRITE, 2, f), 0x06); // counter low
    cart.poke(reg(WRITE, 3, f), 0x07); // counter high: counter = $706
    const display = (counter: number) => (2047 - counter) & 0xff;
    expect(cart.peek(reg(READ, 1, f))).toBe(display(0x706));
    // Counter $705: the low byte reaches top, the flag turns on.
    expect(cart.peek(reg(READ, 7, f))).toBe(0xff);
    expect(cart.peek(reg(READ, 2, f))).toBe(display(0x704));
    cart.peek(reg(READ, 1, f));
    // Counter $702 = bottom: the flag turns off, so the AND'd read gives 0.
    expect(cart.peek(reg(READ, 2, f))).toBe(0);
    // The 11-bit counter wraps from 0 to $7FF.
    cart.poke(reg(WRITE, 2, f), 0x00);
    cart.poke(reg(WRITE, 3, f), 0x00);
    cart.peek(reg(READ, 1, f));
    expect(cart.peek(reg(READ, 1, f))).toBe(display(0x7ff));
    // Writing top clears the flag.
    cart.poke(reg(WRITE, 0, f), 0x80);
    expect(cart.peek(reg(READ, 7, f))).toBe(0);
  });

  it('music mode: fetchers 5-7 follow the 15,750 Hz oscillator, reload from top and mix into the amplitude', () => {
    let cycles = 0;
    const cart = new CartDPC(dpcImage(), () => cycles);
    cart.reset();
    const voice = 5;
    cart.poke(reg(WRITE, 0, voice), 9); // top: period 10 oscillator clocks
    cart.poke(reg(WRITE, 1, voice), 4); // bottom: flag on for low bytes 5-9
    cart.poke(reg(WRITE, 3, voice), 0x10); // music mode
    cart.poke(reg(WRITE, 2, voice), 0x33); // counter low reloads from top instead
    const amplitude = () => cart.peek(reg(READ, 0, 4));
    // Reading the fetcher sees its low byte (9) at top: flag on. Reads do not clock a music fetcher.
    expect(cart.peek(reg(READ, 7, voice))).toBe(0xff);
    expect(amplitude()).toBe(0x04); // voice 1 alone
    expect(amplitude()).toBe(0x04);
    const oscillatorClock = 1193191.66666667 / 15750;
    cycles += Math.ceil(5 * oscillatorClock); // 5 oscillator clocks: low byte 4 = bottom, flag off
    expect(amplitude()).toBe(0x00);
    cycles += Math.ceil(5 * oscillatorClock); // 5 more: wraps to 9 again
    expect(amplitude()).toBe(0x04);
    // All three voices on: the full amplitude.
    for (const v of [6, 7]) {
      cart.poke(reg(WRITE, 0, v), 9);
      cart.poke(reg(WRITE, 3, v), 0x10);
      cart.poke(reg(WRITE, 2, v), 0);
      cart.peek(reg(READ, 7, v));
    }
    expect(amplitude()).toBe(0x0f);
  });

  it('offers a read window without the chip pages and keeps its state through save/load', () => {
    const cart = new CartDPC(dpcImage());
    const window = cart.readWindow();
    expect(window[0x000]).toBe(-1);
    expect(window[0x07f]).toBe(-1);
    expect(window[0x080]).toBe(0xb1);
    expect(window[0xfbf]).toBe(0xb1);
    expect(window[0xfc0]).toBe(-1);
    cart.poke(reg(WRITE, 0, 1), 0x42);
    cart.poke(reg(WRITE, 2, 1), 0x10);
    cart.peek(0x1ff8);
    cart.peek(reg(READ, 0, 0));
    const w = new ByteWriter();
    cart.saveState(w);
    const copy = new CartDPC(dpcImage());
    copy.loadState(new ByteReader(w.finish()));
    expect(copy.bankInfo()).toEqual([0]);
    expect(copy.randomNumber).toBe(cart.randomNumber);
    for (let i = 0; i < 8; i++) expect(copy.peek(reg(READ, 1, 1))).toBe(cart.peek(reg(READ, 1, 1)));
  });
});

const alePyInstalled =
  existsSync(VENV_PYTHON) &&
  (() => {
    try {
      return existsSync(join(aleRomDir(), 'pitfall2.bin'));
    } catch {
      return false;
    }
  })();

const skipNote = alePyInstalled ? '' : ' (skipped: ale-py with its ROMs is not installed; run `pnpm test:setup`)';
describe.skipIf(!alePyInstalled)(`DPC with the ale-py Pitfall II ROM${skipNote}`, () => {
  it('detects DPC and draws the same screens as ale-py', () => {
    const rom = new Uint8Array(readFileSync(join(aleRomDir(), 'pitfall2.bin')));
    expect(detectCartType(rom)).toBe('DPC');
    const r = compareGame('pitfall2', 300, 0);
    expect(r.screenMatches).toBe(r.frames);
  }, 120_000);
});
