/**
 * FE (Activision, 8K) as Stella 2.x models it: the bank is chosen by A13 of the CPU address (code in $Dxxx runs
 * from the first 4K, code in $Fxxx from the second), so no state.
 */
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import { type Cartridge, romImage } from './cartridge.js';

export class CartFE implements Cartridge {
  readonly type = 'FE';
  private readonly image: Uint8Array;

  constructor(rom: Uint8Array) {
    this.image = romImage(rom, 8192);
  }

  reset(): void {}
  peek(address: number): number {
    return this.image[(address & 0x0fff) + ((address & 0x2000) === 0 ? 4096 : 0)]!;
  }
  poke(): void {}
  bankInfo(): number[] {
    return [0];
  }
  saveState(_w: ByteWriter): void {}
  loadState(_r: ByteReader): void {}
}
