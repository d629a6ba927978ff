/** Carts without bank switching: 2K (mirrored twice in the 4K window) and 4K. */
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import { type Cartridge, romImage, romWindow } from './cartridge.js';

export class Cart2K implements Cartridge {
  readonly type = '2K';
  private readonly image: Uint8Array;

  private readonly window: Int16Array;

  constructor(rom: Uint8Array) {
    this.image = romImage(rom, 2048);
    this.window = romWindow(romImage(rom, 4096));
  }

  readWindow(): Int16Array {
    return this.window;
  }

  reset(): void {}
  peek(address: number): number {
    return this.image[address & 0x07ff]!;
  }
  poke(): void {}
  bankInfo(): number[] {
    return [0];
  }
  saveState(_w: ByteWriter): void {}
  loadState(_r: ByteReader): void {}
}

export class Cart4K implements Cartridge {
  readonly type = '4K';
  private readonly image: Uint8Array;

  private readonly window: Int16Array;

  constructor(rom: Uint8Array) {
    this.image = romImage(rom, 4096);
    this.window = romWindow(this.image);
  }

  readWindow(): Int16Array {
    return this.window;
  }

  reset(): void {}
  peek(address: number): number {
    return this.image[address & 0x0fff]!;
  }
  poke(): void {}
  bankInfo(): number[] {
    return [0];
  }
  saveState(_w: ByteWriter): void {}
  loadState(_r: ByteReader): void {}
}
