// Bank switching and scheme detection.
import { describe, expect, it } from 'vitest';
import { createCartridge, detectCartType } from '../src/cart/detect.js';
import { Mt19937 } from '@vinegym/rng';
import { ByteReader, ByteWriter } from '../src/util/bytes.js';

/** A ROM whose every byte is its 4K (or 1K/2K) bank number. */
function bankedRom(size: number, bankSize: number): Uint8Array {
  const rom = new Uint8Array(size);
  for (let i = 0; i < size; i++) rom[i] = Math.floor(i / bankSize);
  return rom;
}

/** Non-uniform content (so no Superchip RAM area, no identical halves). */
function variedRom(size: number): Uint8Array {
  const rom = new Uint8Array(size);
  for (let i = 0; i < size; i++) rom[i] = (i * 7 + (i >> 12)) & 0xff;
  return rom;
}

describe('cartridges', () => {
  it('F8: resets to bank 1, hot spots $1FF8/$1FF9 on read and write', () => {
    const cart = createCartridge(bankedRom(8192, 4096), 'F8');
    cart.reset(new Mt19937());
    expect(cart.peek(0x1000)).toBe(1);
    cart.peek(0x1ff8);
    expect(cart.peek(0x1000)).toBe(0);
    cart.poke(0x1ff9, 0);
    expect(cart.peek(0xf000)).toBe(1);
  });

  it('F6 and F4: four / eight banks, reset bank 0', () => {
    const f6 = createCartridge(bankedRom(16384, 4096), 'F6');
    f6.reset(new Mt19937());
    expect(f6.peek(0x1234)).toBe(0);
    f6.peek(0x1ff8);
    expect(f6.peek(0x1234)).toBe(2);
    const f4 = createCartridge(bankedRom(32768, 4096), 'F4');
    f4.reset(new Mt19937());
    f4.peek(0x1ffb);
    expect(f4.peek(0x1100)).toBe(7);
  });

  it('Superchip RAM: write port $1000-$107F, read port $1080-$10FF, random at reset', () => {
    const cart = createCartridge(bankedRom(8192, 4096), 'F8SC');
    cart.reset(new Mt19937(7));
    cart.poke(0x1005, 0x5a);
    expect(cart.peek(0x1085)).toBe(0x5a);
    expect(cart.peek(0x1005)).toBe(1); // reading the write port reads ROM
  });

  it('E0: three switchable 1K segments and a fixed last one', () => {
    const cart = createCartridge(bankedRom(8192, 1024), 'E0');
    cart.reset(new Mt19937());
    expect([cart.peek(0x1000), cart.peek(0x1400), cart.peek(0x1800), cart.peek(0x1c00)]).toEqual([4, 5, 6, 7]);
    cart.peek(0x1fe2);
    cart.peek(0x1feb);
    cart.poke(0x1ff1, 0);
    expect([cart.peek(0x1000), cart.peek(0x1400), cart.peek(0x1800)]).toEqual([2, 3, 1]);
  });

  it('FE: the bank follows A13 of the CPU address', () => {
    const cart = createCartridge(bankedRom(8192, 4096), 'FE');
    expect(cart.peek(0xf000)).toBe(0);
    expect(cart.peek(0xd000)).toBe(1);
  });

  it('3F: writes to $00-$3F select the 2K bank at $1000, last 2K fixed', () => {
    const cart = createCartridge(bankedRom(8192, 2048), '3F');
    cart.reset(new Mt19937());
    cart.snoop!(0x3f, 2, true);
    expect(cart.peek(0x1000)).toBe(2);
    expect(cart.peek(0x1800)).toBe(3);
  });

  it('UA: $220 / $240 select the bank', () => {
    const cart = createCartridge(bankedRom(8192, 4096), 'UA');
    cart.reset(new Mt19937());
    cart.snoop!(0x240, 0, false);
    expect(cart.peek(0x1000)).toBe(1);
    cart.snoop!(0x220, 0, true);
    expect(cart.peek(0x1000)).toBe(0);
  });

  it('state round trip keeps the bank', () => {
    const cart = createCartridge(bankedRom(16384, 4096), 'F6SC');
    cart.reset(new Mt19937());
    cart.peek(0x1ff9);
    cart.poke(0x1000, 9);
    const w = new ByteWriter();
    cart.saveState(w);
    const other = createCartridge(bankedRom(16384, 4096), 'F6SC');
    other.loadState(new ByteReader(w.finish()));
    expect(other.peek(0x1200)).toBe(3);
    expect(other.peek(0x1080)).toBe(9);
  });

  it('detects schemes by size and signatures like ALE', () => {
    expect(detectCartType(new Uint8Array(2048))).toBe('2K');
    expect(detectCartType(bankedRom(4096, 2048))).toBe('4K');
    expect(detectCartType(bankedRom(4096, 4096))).toBe('2K'); // identical halves
    expect(detectCartType(variedRom(8192))).toBe('F8');
    expect(detectCartType(variedRom(8192).map((v, i) => (i % 4096 < 256 ? 0xff : v)))).toBe('F8SC');
    const e0 = variedRom(8192);
    e0.set([0xad, 0xe9, 0xff], 100);
    expect(detectCartType(e0)).toBe('E0');
    expect(detectCartType(variedRom(16384))).toBe('F6');
  });
});
