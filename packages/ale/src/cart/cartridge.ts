/**
 * Cartridge interface. The bus hands the cartridge every access with A12 set ($1000-$1FFF and mirrors) with the
 * full 16-bit CPU address (FE bank switching looks at A13). Schemes with hot spots outside the cartridge window
 * (3F/3E write $00-$3F, UA touches $220/$240) implement `snoop`, which sees every other bus access first.
 * Bank-switching behaviour follows the Stella 2.x cartridge classes in ALE (src/ale/emucore/Cart*.cxx).
 */
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import type { Mt19937 } from '@vinegym/rng';

export interface Cartridge {
  /** Scheme name, e.g. "F8". */
  readonly type: string;
  /** Console reset (SC/RAM carts draw their RAM from the system RNG here, as ALE does). */
  reset(rng: Mt19937): void;
  peek(address: number): number;
  poke(address: number, value: number): void;
  snoop?(address: number, value: number, write: boolean): void;
  /**
   * Optional fast path for CPU reads: what a read of the cartridge window returns now, indexed by `address & 0xfff`,
   * or -1 where the read must go through `peek` (hot spots, RAM ports, anything with a side effect). Only for carts
   * whose reads do not depend on address bits above A11. The bus asks again after every peek/poke/reset/loadState,
   * so the window must show the current bank(s). Not used for carts with `snoop`.
   */
  readWindow?(): Int16Array;
  /** Current bank(s), for tests and debugging. */
  bankInfo(): number[];
  saveState(w: ByteWriter): void;
  loadState(r: ByteReader): void;
}

/** A 4K read window (see Cartridge.readWindow) showing `bank`, all of it readable. */
export function romWindow(bank: Uint8Array): Int16Array {
  return Int16Array.from(bank.subarray(0, 4096));
}

/** Copy of a ROM image padded (by repetition) to at least `size` bytes. */
export function romImage(rom: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = rom[i % rom.length]!;
  return out;
}
