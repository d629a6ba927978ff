/**
 * Atari's standard bank switching: F8 (8K, hot spots $1FF8-$1FF9), F6 (16K, $1FF6-$1FF9), F4 (32K, $1FF4-$1FFB);
 * any access (read or write) to a hot spot selects the 4K bank. The "SC" (Superchip) variants add 128 bytes of RAM:
 * write port $1000-$107F, read port $1080-$10FF. FA (CBS RAM Plus, 12K) has hot spots $1FF8-$1FFA and 256 bytes of
 * RAM (write $1000-$10FF, read $1100-$11FF).
 * Reset banks follow ALE's Stella: F8/F8SC bank 1, F6/F6SC/F4/F4SC bank 0, FA bank 2; SC RAM is filled from the
 * system RNG at every console reset.
 */
import type { Mt19937 } from '@vinegym/rng';
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import { type Cartridge, romImage, romWindow } from './cartridge.js';

interface Scheme {
  type: string;
  banks: number;
  firstHotspot: number;
  resetBank: number;
  ramSize: number;
}

export const ATARI_SCHEMES: Record<string, Scheme> = {
  F8: { type: 'F8', banks: 2, firstHotspot: 0xff8, resetBank: 1, ramSize: 0 },
  F8SC: { type: 'F8SC', banks: 2, firstHotspot: 0xff8, resetBank: 1, ramSize: 128 },
  F6: { type: 'F6', banks: 4, firstHotspot: 0xff6, resetBank: 0, ramSize: 0 },
  F6SC: { type: 'F6SC', banks: 4, firstHotspot: 0xff6, resetBank: 0, ramSize: 128 },
  F4: { type: 'F4', banks: 8, firstHotspot: 0xff4, resetBank: 0, ramSize: 0 },
  F4SC: { type: 'F4SC', banks: 8, firstHotspot: 0xff4, resetBank: 0, ramSize: 128 },
  FA: { type: 'FA', banks: 3, firstHotspot: 0xff8, resetBank: 2, ramSize: 256 },
};

export class CartAtari implements Cartridge {
  readonly type: string;
  private readonly image: Uint8Array;
  private readonly ram: Uint8Array;
  private bank: number;
  private readonly lastHotspot: number;
  /** Read window per bank: hot spots and the RAM read port go through peek. */
  private readonly windows: Int16Array[];

  /** `resetBank` overrides the scheme's (ALE's "F8 swapped" ROMs start in bank 0). */
  constructor(
    rom: Uint8Array,
    private readonly scheme: Scheme,
    resetBank?: number,
  ) {
    this.type = scheme.type;
    this.image = romImage(rom, scheme.banks * 4096);
    this.ram = new Uint8Array(scheme.ramSize);
    this.lastHotspot = scheme.firstHotspot + scheme.banks - 1;
    this.bank = resetBank ?? scheme.resetBank;
    if (resetBank !== undefined) this.scheme = { ...scheme, resetBank };
    this.windows = Array.from({ length: scheme.banks }, (_, b) => {
      const w = romWindow(this.image.subarray(b * 4096));
      w.fill(-1, scheme.ramSize, 2 * scheme.ramSize);
      w.fill(-1, scheme.firstHotspot, this.lastHotspot + 1);
      return w;
    });
  }

  readWindow(): Int16Array {
    return this.windows[this.bank]!;
  }

  reset(rng: Mt19937): void {
    for (let i = 0; i < this.ram.length; i++) this.ram[i] = rng.next() & 0xff;
    this.bank = this.scheme.resetBank;
  }

  private hotspot(a: number): void {
    if (a >= this.scheme.firstHotspot && a <= this.lastHotspot) this.bank = a - this.scheme.firstHotspot;
  }

  peek(address: number): number {
    const a = address & 0x0fff;
    const ramSize = this.ram.length;
    if (ramSize > 0 && a >= ramSize && a < 2 * ramSize) return this.ram[a - ramSize]!;
    this.hotspot(a);
    return this.image[this.bank * 4096 + a]!;
  }

  poke(address: number, value: number): void {
    const a = address & 0x0fff;
    if (a < this.ram.length) {
      this.ram[a] = value;
      return;
    }
    this.hotspot(a);
  }

  bankInfo(): number[] {
    return [this.bank];
  }

  saveState(w: ByteWriter): void {
    w.i32(this.bank);
    w.bytes(this.ram);
  }

  loadState(r: ByteReader): void {
    this.bank = r.i32();
    r.into(this.ram);
  }
}
