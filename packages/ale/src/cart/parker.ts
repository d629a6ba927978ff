/**
 * E0 (Parker Brothers, 8K): the 4K window is four 1K segments; segment 3 is fixed to the last 1K slice; accessing
 * $1FE0-$1FE7 / $1FE8-$1FEF / $1FF0-$1FF7 selects the slice (0-7) of segment 0 / 1 / 2. Reset: slices 4, 5, 6.
 */
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import { type Cartridge, romImage } from './cartridge.js';

export class CartE0 implements Cartridge {
  readonly type = 'E0';
  private readonly image: Uint8Array;
  private readonly slices = new Int32Array([4, 5, 6, 7]);

  constructor(rom: Uint8Array) {
    this.image = romImage(rom, 8192);
  }

  reset(): void {
    this.slices[0] = 4;
    this.slices[1] = 5;
    this.slices[2] = 6;
  }

  private hotspot(a: number): void {
    if (a >= 0xfe0 && a <= 0xff7) this.slices[(a - 0xfe0) >> 3] = a & 7;
  }

  peek(address: number): number {
    const a = address & 0x0fff;
    this.hotspot(a);
    return this.image[(this.slices[a >> 10]! << 10) + (a & 0x3ff)]!;
  }

  poke(address: number): void {
    this.hotspot(address & 0x0fff);
  }

  bankInfo(): number[] {
    return Array.from(this.slices);
  }

  saveState(w: ByteWriter): void {
    for (const s of this.slices) w.i32(s);
  }

  loadState(r: ByteReader): void {
    for (let i = 0; i < 4; i++) this.slices[i] = r.i32();
  }
}
