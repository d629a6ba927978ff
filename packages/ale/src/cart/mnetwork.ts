/**
 * E7 (M-Network, 16K + 2K RAM): $1000-$17FF shows one of 2K banks 0-6 (selected by $1FE0-$1FE6) or, with $1FE7,
 * 1K of RAM (write $1000-$13FF, read $1400-$17FF); $1800-$19FF is one of four 256-byte RAM banks (selected by
 * $1FE8-$1FEB; write $1800-$18FF, read $1900-$19FF); $1A00-$1FFF is fixed to the end of the last 2K bank.
 */
import type { Mt19937 } from '@vinegym/rng';
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import { type Cartridge, romImage } from './cartridge.js';

export class CartE7 implements Cartridge {
  readonly type = 'E7';
  private readonly image: Uint8Array;
  private readonly ram = new Uint8Array(2048);
  private slice = 0;
  private ramBank = 0;

  constructor(rom: Uint8Array) {
    this.image = romImage(rom, 16384);
  }

  reset(rng: Mt19937): void {
    for (let i = 0; i < this.ram.length; i++) this.ram[i] = rng.next() & 0xff;
    this.slice = 0;
    this.ramBank = 0;
  }

  private hotspot(a: number): void {
    if (a >= 0xfe0 && a <= 0xfe7) this.slice = a & 7;
    else if (a >= 0xfe8 && a <= 0xfeb) this.ramBank = a & 3;
  }

  peek(address: number): number {
    const a = address & 0x0fff;
    this.hotspot(a);
    if (a < 0x800) {
      if (this.slice === 7) return a >= 0x400 ? this.ram[a & 0x3ff]! : 0;
      return this.image[this.slice * 2048 + a]!;
    }
    if (a < 0xa00) return a >= 0x900 ? this.ram[1024 + this.ramBank * 256 + (a & 0xff)]! : 0;
    return this.image[7 * 2048 + (a & 0x7ff)]!;
  }

  poke(address: number, value: number): void {
    const a = address & 0x0fff;
    this.hotspot(a);
    if (a < 0x400 && this.slice === 7) this.ram[a] = value;
    else if (a >= 0x800 && a < 0x900) this.ram[1024 + this.ramBank * 256 + (a & 0xff)] = value;
  }

  bankInfo(): number[] {
    return [this.slice, this.ramBank];
  }

  saveState(w: ByteWriter): void {
    w.i32(this.slice);
    w.i32(this.ramBank);
    w.bytes(this.ram);
  }

  loadState(r: ByteReader): void {
    this.slice = r.i32();
    this.ramBank = r.i32();
    r.into(this.ram);
  }
}
