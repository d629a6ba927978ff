/**
 * DPC (Activision's Display Processor Chip, Pitfall II), as ALE's Stella (CartDPC) emulates it: 8K program ROM in
 * two F8-style banks (hot spots $1FF8/$1FF9, reset bank 1) plus 2K display ROM read through eight data fetchers.
 *
 * - $1000-$103F reads: fetcher `a & 7`, function `(a >> 3) & 7`: 0 random number (fetchers 0-3) or music
 *   amplitude (4-7), 1 display byte, 2 display byte AND flag, 7 flag. A fetcher's 11-bit counter counts down on
 *   every read; its flag turns on when the counter's low byte reaches `top` and off at `bottom`. Display bytes are
 *   read backwards: display[2047 - counter].
 * - $1040-$107F writes: function 0 top (clears the flag), 1 bottom, 2 counter low, 3 counter high (bits 0-2; bit 4
 *   puts fetchers 5-7 into music mode), 6 random number reset.
 * - Music mode: fetchers 5-7 count down at the 15,750 Hz DPC oscillator (from CPU cycles) wrapping at `top`, and
 *   their flags make the amplitude read a square wave mix. This only shapes the sound (AUDVx writes), so without
 *   a clock source (`clock` omitted) music fetchers hold still.
 * - The 8-bit random number generator (an LFSR) steps on every access Stella routes to the chip: all writes in the
 *   cartridge window, reads of $1000-$107F and of the hot-spot page $1FC0-$1FFF; not on the CPU's dummy reads
 *   (DUMMY_READ), which ALE's Stella does not perform.
 */
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import { DUMMY_READ } from '../cpu/bus.js';
import { type Cartridge, romWindow } from './cartridge.js';

const PROGRAM_SIZE = 8192;
const DISPLAY_SIZE = 2048;
/** CPU clock and DPC oscillator (Hz). */
const CPU_HZ = 1193191.66666667;
const OSCILLATOR_HZ = 15750;
/** Amplitude of the three music voices' flags (bit 0 fetcher 5, bit 1 fetcher 6, bit 2 fetcher 7). */
const MUSIC_AMPLITUDES = [0x00, 0x04, 0x05, 0x09, 0x06, 0x0a, 0x0b, 0x0f];
/** The LFSR's input bit from bits 7, 5, 4, 3 (the NOT of their XOR), indexed by bit7 << 3 | bits 5-3. */
const LFSR_INPUT = [1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1];

/** Whether Stella routes a read of this cartridge address (A0-A11) to the chip (its 64-byte pages). */
const chipReads = (address: number) => address < 0x080 || address >= 0xfc0;

export class CartDPC implements Cartridge {
  readonly type = 'DPC';
  private readonly program: Uint8Array;
  private readonly display: Uint8Array;
  private readonly windows: Int16Array[];
  private bank = 1;
  private readonly tops = new Uint8Array(8);
  private readonly bottoms = new Uint8Array(8);
  private readonly counters = new Uint16Array(8);
  private readonly flags = new Uint8Array(8);
  private readonly musicMode = [false, false, false];
  private random = 1;
  /** CPU cycle (of `clock`) of the last music update, and the oscillator's fractional clocks since. */
  private lastMusicCycle = 0;
  private fractionalClocks = 0;

  /** `clock`: CPU cycles elapsed (any origin), for the music-mode oscillator. */
  constructor(
    rom: Uint8Array,
    private readonly clock?: () => number,
  ) {
    if (rom.length < PROGRAM_SIZE + DISPLAY_SIZE) throw new Error(`DPC image too small: ${rom.length} bytes`);
    this.program = rom.slice(0, PROGRAM_SIZE);
    this.display = rom.slice(PROGRAM_SIZE, PROGRAM_SIZE + DISPLAY_SIZE);
    this.windows = [0, 1].map((b) => {
      const w = romWindow(this.program.subarray(b * 4096));
      w.fill(-1, 0, 0x080);
      w.fill(-1, 0xfc0, 0x1000);
      return w;
    });
  }

  readWindow(): Int16Array {
    return this.windows[this.bank]!;
  }

  /** Console reset: bank 1; the fetchers and the random number keep their state (as in Stella). */
  reset(): void {
    this.bank = 1;
    this.lastMusicCycle = this.clock?.() ?? 0;
    this.fractionalClocks = 0;
  }

  bankInfo(): number[] {
    return [this.bank];
  }

  /** The current random number (for tests). */
  get randomNumber(): number {
    return this.random;
  }

  peek(address: number): number {
    const a = address & 0xfff;
    // ALE's Stella performs no dummy reads, so they do not step the generator there.
    if (chipReads(a) && (address & DUMMY_READ) === 0) this.stepRandom();
    if (a < 0x040) return this.readFetcher(a & 7, (a >> 3) & 7);
    this.switchBank(a);
    return this.program[this.bank * 4096 + a]!;
  }

  poke(address: number, value: number): void {
    const a = address & 0xfff;
    this.stepRandom();
    if (a >= 0x040 && a < 0x080) this.writeFetcher(a & 7, (a >> 3) & 7, value);
    else this.switchBank(a);
  }

  private switchBank(a: number): void {
    if (a === 0xff8) this.bank = 0;
    else if (a === 0xff9) this.bank = 1;
  }

  private stepRandom(): void {
    const r = this.random;
    const input = LFSR_INPUT[((r >> 3) & 7) | (r & 0x80 ? 8 : 0)]!;
    this.random = ((r << 1) | input) & 0xff;
  }

  private readFetcher(index: number, fn: number): number {
    const low = this.counters[index]! & 0xff;
    if (low === this.tops[index]) this.flags[index] = 0xff;
    else if (low === this.bottoms[index]) this.flags[index] = 0x00;
    let result = 0;
    switch (fn) {
      case 0:
        result = index < 4 ? this.random : this.musicAmplitude();
        break;
      case 1:
        result = this.display[2047 - this.counters[index]!]!;
        break;
      case 2:
        result = this.display[2047 - this.counters[index]!]! & this.flags[index]!;
        break;
      case 7:
        result = this.flags[index]!;
        break;
    }
    if (index < 5 || !this.musicMode[index - 5]) this.counters[index] = (this.counters[index]! - 1) & 0x7ff;
    return result;
  }

  private writeFetcher(index: number, fn: number, value: number): void {
    const music = index >= 5 && this.musicMode[index - 5]!;
    switch (fn) {
      case 0:
        this.tops[index] = value;
        this.flags[index] = 0;
        break;
      case 1:
        this.bottoms[index] = value;
        break;
      case 2:
        // A music fetcher reloads its low byte from `top` instead.
        this.counters[index] = (this.counters[index]! & 0x700) | (music ? this.tops[index]! : value);
        break;
      case 3:
        this.counters[index] = ((value & 7) << 8) | (this.counters[index]! & 0xff);
        if (index >= 5) this.musicMode[index - 5] = (value & 0x10) !== 0;
        break;
      case 6:
        this.random = 1;
        break;
    }
  }

  /** Advances the music fetchers to the current CPU cycle and mixes their flags. */
  private musicAmplitude(): number {
    this.updateMusicFetchers();
    let voices = 0;
    for (let v = 0; v < 3; v++) if (this.musicMode[v] && this.flags[5 + v]) voices |= 1 << v;
    return MUSIC_AMPLITUDES[voices]!;
  }

  private updateMusicFetchers(): void {
    if (!this.clock) return;
    const now = this.clock();
    const clocks = (OSCILLATOR_HZ * (now - this.lastMusicCycle)) / CPU_HZ + this.fractionalClocks;
    this.lastMusicCycle = now;
    const whole = Math.trunc(clocks);
    this.fractionalClocks = clocks - whole;
    if (whole <= 0) return;
    for (let x = 5; x <= 7; x++) {
      if (!this.musicMode[x - 5]) continue;
      const top = this.tops[x]!;
      // The counter's low byte counts down from top to 0 and wraps.
      let low = this.counters[x]! & 0xff;
      if (top !== 0) {
        low -= whole % (top + 1);
        if (low < 0) low += top + 1;
      } else low = 0;
      if (low <= this.bottoms[x]!) this.flags[x] = 0x00;
      else if (low <= top) this.flags[x] = 0xff;
      this.counters[x] = (this.counters[x]! & 0x700) | low;
    }
  }

  saveState(w: ByteWriter): void {
    w.u8(this.bank);
    w.bytes(this.tops);
    w.bytes(this.bottoms);
    for (const c of this.counters) w.i32(c);
    w.bytes(this.flags);
    for (const m of this.musicMode) w.bool(m);
    w.u8(this.random);
    w.f64(this.lastMusicCycle);
    w.f64(this.fractionalClocks);
  }

  loadState(r: ByteReader): void {
    this.bank = r.u8();
    r.into(this.tops);
    r.into(this.bottoms);
    for (let i = 0; i < 8; i++) this.counters[i] = r.i32();
    r.into(this.flags);
    for (let i = 0; i < 3; i++) this.musicMode[i] = r.bool();
    this.random = r.u8();
    this.lastMusicCycle = r.f64();
    this.fractionalClocks = r.f64();
  }
}
