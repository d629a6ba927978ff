/** UA (UA Limited, 8K): an access to $0220 selects bank 0, to $0240 bank 1 (4K banks). */
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import { type Cartridge, romImage } from './cartridge.js';

export class CartUA implements Cartridge {
  readonly type = 'UA';
  private readonly image: Uint8Array;
  private bank = 0;

  constructor(rom: Uint8Array) {
    this.image = romImage(rom, 8192);
  }

  reset(): void {
    this.bank = 0;
  }

  snoop(address: number): void {
    const a = address & 0x1fff;
    if (a === 0x220) this.bank = 0;
    else if (a === 0x240) this.bank = 1;
  }

  peek(address: number): number {
    return this.image[this.bank * 4096 + (address & 0x0fff)]!;
  }

  poke(): void {}

  bankInfo(): number[] {
    return [this.bank];
  }

  saveState(w: ByteWriter): void {
    w.i32(this.bank);
  }

  loadState(r: ByteReader): void {
    this.bank = r.i32();
  }
}
