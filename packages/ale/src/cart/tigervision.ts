/**
 * 3F (Tigervision): 2K banks; writing any value v to $00-$3F (the TIA area, the TIA also sees the write) maps bank
 * v % banks at $1000-$17FF; $1800-$1FFF is fixed to the last 2K. 3E adds 1K RAM banks selected by writes to $3E
 * (RAM is read at $1000-$13FF and written at $1400-$17FF).
 */
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import type { Mt19937 } from '@vinegym/rng';
import { type Cartridge, romImage } from './cartridge.js';

export class Cart3F implements Cartridge {
  readonly type: string;
  private readonly image: Uint8Array;
  private readonly banks: number;
  private readonly ram: Uint8Array;
  private bank = 0;
  private ramBank = -1;

  constructor(rom: Uint8Array, withRam = false) {
    this.type = withRam ? '3E' : '3F';
    const size = Math.max(2048, Math.ceil(rom.length / 2048) * 2048);
    this.image = romImage(rom, size);
    this.banks = size / 2048;
    this.ram = new Uint8Array(withRam ? 32 * 1024 : 0);
  }

  reset(rng: Mt19937): void {
    for (let i = 0; i < this.ram.length; i++) this.ram[i] = rng.next() & 0xff;
    this.bank = 0;
    this.ramBank = -1;
  }

  snoop(address: number, value: number, write: boolean): void {
    if (!write || (address & 0x1fff) > 0x3f) return;
    const a = address & 0x3f;
    if (this.ram.length > 0 && a === 0x3e) {
      this.ramBank = value % (this.ram.length / 1024);
    } else if (this.ram.length === 0 || a === 0x3f) {
      this.bank = value % this.banks;
      this.ramBank = -1;
    }
  }

  peek(address: number): number {
    const a = address & 0x0fff;
    if (a < 0x800) {
      if (this.ramBank >= 0) return a < 0x400 ? this.ram[this.ramBank * 1024 + a]! : 0;
      return this.image[this.bank * 2048 + a]!;
    }
    return this.image[(this.banks - 1) * 2048 + (a & 0x7ff)]!;
  }

  poke(address: number, value: number): void {
    const a = address & 0x0fff;
    if (this.ramBank >= 0 && a >= 0x400 && a < 0x800) this.ram[this.ramBank * 1024 + (a & 0x3ff)] = value;
  }

  bankInfo(): number[] {
    return [this.bank, this.ramBank];
  }

  saveState(w: ByteWriter): void {
    w.i32(this.bank);
    w.i32(this.ramBank);
    w.bytes(this.ram);
  }

  loadState(r: ByteReader): void {
    this.bank = r.i32();
    this.ramBank = r.i32();
    r.into(this.ram);
  }
}
