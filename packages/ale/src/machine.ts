/**
 * The whole console: 6507 CPU + TIA + RIOT + cartridge on the 13-bit bus, with ALE's (Stella 2.x) system model.
 *
 * Cycle model: the CPU performs exactly one bus access per cycle and counts it before the access (as Stella's
 * M6502High does). The CPU serves RIOT RAM and cartridge ROM itself (CycleBus: `ram`, `readWindow`); every other
 * access comes here with its cycle, which becomes `cycles`. The TIA and RIOT derive their state from `cycles`
 * lazily (the TIA renders up to `3 * cycles` colour clocks when accessed). WSYNC halts the CPU by advancing
 * `cycles` to the end of the scanline inside the write: the bus "absorbs" the halted cycles.
 *
 * Address decoding (A0-A12): A12=1 cartridge; else A7=0 TIA; else A9=0 RIOT RAM; else RIOT I/O.
 *
 * A frame (`runFrame`, Stella's TIA::update) starts by rebasing the cycle counter (keeping the horizontal phase)
 * and runs the CPU until the TIA ends the frame (VSYNC switched off at least a line after it was switched on, or
 * more than 290/342 scanlines), at most 25,000 instructions; an unfinished frame continues in the next call.
 */
import { Cpu6502, NO_WINDOW, WRITE_FLAG } from './cpu/index.js';
import type { CycleBus } from './cpu/index.js';
import type { Cartridge } from './cart/cartridge.js';
import { createCartridge, md5Hex } from './cart/detect.js';
import { ControllerPorts, type ControllerType, InputEvents } from './controls.js';
import { Riot } from './riot.js';
import { NTSC_PALETTE, PAL_PALETTE, type Palette } from './tia/palette.js';
import { Tia, type TiaSystem } from './tia/tia.js';
import { ByteReader, ByteWriter } from './util/bytes.js';
import { Mt19937 } from '@vinegym/rng';
import { WARM_UP_CART_TYPE, warmUpOnce } from './warm-up.js';

/** ALE's default `system_random_seed`. */
export const ALE_SYSTEM_SEED = 4753849;
const INSTRUCTIONS_PER_UPDATE = 25000;
const STATE_MAGIC = 'vinegym-ale-machine-2';

export interface MachineOptions {
  /** Bank-switching scheme; default: detection as ALE's Stella does. */
  cartType?: string;
  /** First exported scanline after the frame start (Stella property Display.YStart, default 34). */
  yStart?: number;
  /** Exported scanlines (Display.Height, default 210; PAL ROMs get 250). */
  height?: number;
  /** 'auto' runs 60 frames at power-on and counts long frames, as ALE's console does. */
  format?: 'auto' | 'NTSC' | 'PAL';
  leftController?: ControllerType;
  rightController?: ControllerType;
  swapPaddles?: boolean;
  leftDifficulty?: 'A' | 'B';
  rightDifficulty?: 'A' | 'B';
  hmoveBlanks?: boolean;
  /** Seed of the system RNG (power-on RAM, timer start, Superchip RAM). */
  systemSeed?: number;
  /**
   * Run the cartridge's hot code as compiled blocks (src/cpu/blocks.ts), the same frames as the interpreter; default
   * true, false for the interpreter alone.
   */
  compileBlocks?: boolean;
}

export class Machine implements CycleBus, TiaSystem {
  readonly cpu: Cpu6502;
  readonly tia: Tia;
  readonly riot: Riot;
  readonly cart: Cartridge;
  readonly events = new InputEvents();
  readonly ports: ControllerPorts;
  readonly rng: Mt19937;
  readonly md5: string;
  /** 'NTSC' or 'PAL' (decided at power-on). */
  readonly format: 'NTSC' | 'PAL';
  readonly palette: Palette;

  /** CPU cycles since the start of the current frame (the CPU keeps it while running, see CycleBus). */
  cycles = 0;
  /** The last bus access: the value on the data bus (bits 0-7) and WRITE_FLAG if it was a write. */
  lastAccess = 0;
  /** Instructions executed in total (diagnostics). */
  instructions = 0;
  stopRequested = false;
  private readonly hasSnoop: boolean;
  /** RIOT RAM, which the CPU accesses directly: A12 = 0, A9 = 0, A7 = 1 (not for snooping carts). */
  readonly directRam: Uint8Array;
  readonly directRamMask: number;
  readonly directRamMatch: number;
  /** The cartridge's current read window (NO_WINDOW for carts without one or with snooping). */
  readWindow: Int16Array = NO_WINDOW;

  constructor(rom: Uint8Array, options: MachineOptions = {}) {
    // Once per process, a throw-away machine runs every CPU and TIA path so V8 need not recompile them later.
    warmUpOnce(
      (program, compileBlocks) => new Machine(program, { format: 'NTSC', cartType: WARM_UP_CART_TYPE, compileBlocks }),
    );
    this.md5 = md5Hex(rom);
    this.cart = createCartridge(rom, options.cartType);
    this.hasSnoop = typeof this.cart.snoop === 'function';
    this.ports = new ControllerPorts(this.events, {
      left: options.leftController ?? 'joystick',
      right: options.rightController ?? 'joystick',
      swapPaddles: options.swapPaddles ?? false,
      leftDifficulty: options.leftDifficulty ?? 'B',
      rightDifficulty: options.rightDifficulty ?? 'B',
    });
    this.rng = new Mt19937(options.systemSeed ?? ALE_SYSTEM_SEED);
    this.riot = new Riot(this, this.ports);
    this.directRam = this.riot.ram;
    this.directRamMask = this.hasSnoop ? 0 : 0x1280;
    this.directRamMatch = this.hasSnoop ? -1 : 0x80;
    const yStart = options.yStart ?? 34;
    let height = options.height ?? 210;
    const hmoveBlanks = options.hmoveBlanks ?? true;
    this.tia = new Tia(this, this.ports, { yStart, height, pal: false, hmoveBlanks });
    this.cpu = new Cpu6502(this);
    this.cpu.compileBlocks = options.compileBlocks ?? true;

    // Power-on as ALE's console: RIOT RAM and timer from the system RNG, then format detection, then reset.
    this.riot.randomizeRam(this.rng);
    this.riot.reset(this.rng);
    let format: 'NTSC' | 'PAL' = options.format === 'PAL' ? 'PAL' : 'NTSC';
    if ((options.format ?? 'auto') === 'auto') {
      this.reset();
      let palCount = 0;
      for (let i = 0; i < 60; i++) {
        this.runFrame();
        if (i >= 30 && this.tia.scanlines() > 285) palCount++;
      }
      format = palCount >= 15 ? 'PAL' : 'NTSC';
    }
    if (format === 'PAL' && height === 210) height = 250;
    this.format = format;
    this.palette = format === 'PAL' ? PAL_PALETTE : NTSC_PALETTE;
    this.tia.setConfig({ yStart, height, pal: format === 'PAL', hmoveBlanks });
    this.reset();
  }

  // ---------------------------------------------------------------- bus

  /** A read the CPU does not serve itself (TIA, RIOT I/O, cartridge hot spots and RAM ports). */
  read(address: number, cycle: number, lastAccess: number): number {
    this.cycles = cycle;
    this.lastAccess = lastAccess;
    const a = address & 0x1fff;
    if (a & 0x1000) {
      const v = this.cart.peek(address);
      this.updateReadWindow();
      return v;
    }
    if (this.hasSnoop) this.cart.snoop!(address, 0, false);
    if ((a & 0x80) === 0) return this.tia.peek(a);
    if ((a & 0x200) === 0) return this.riot.ram[a & 0x7f]!;
    return this.riot.peek(a);
  }

  /** A write the CPU does not serve itself; returns the cycle counter after it (WSYNC advances it). */
  write(address: number, value: number, cycle: number, lastAccess: number): number {
    this.cycles = cycle;
    this.lastAccess = lastAccess;
    const a = address & 0x1fff;
    if (a & 0x1000) {
      this.cart.poke(address, value);
      this.updateReadWindow();
      return cycle;
    }
    if (this.hasSnoop) this.cart.snoop!(address, value, true);
    if ((a & 0x80) === 0) this.tia.poke(a, value);
    else if ((a & 0x200) === 0) this.riot.ram[a & 0x7f] = value;
    else this.riot.poke(a, value);
    return this.cycles;
  }

  /**
   * Only reads of the RIOT timer (INTIM) are known to be idle: a timer wait loop. Never for carts that snoop
   * (they see every access).
   */
  idleCountdownReads(address: number, cycle: number, period: number, min: number): number {
    const a = address & 0x1fff;
    if (this.hasSnoop || (a & 0x1280) !== 0x280 || (a & 0x05) !== 0x04) return 0;
    return this.riot.countdownReads(cycle, period, min);
  }

  /** Bank switches happen in peek/poke/reset/loadState: pick up the cartridge's current window. */
  private updateReadWindow(): void {
    if (!this.hasSnoop && this.cart.readWindow) this.readWindow = this.cart.readWindow();
  }

  /** Last value seen on the data bus. */
  get dataBus(): number {
    return this.lastAccess & 0xff;
  }

  /** Whether the last access was a read (WSYNC halts only then). */
  get lastAccessWasRead(): boolean {
    return (this.lastAccess & WRITE_FLAG) === 0;
  }

  /** Ask the CPU loop to stop after the current instruction (the TIA ends the frame). */
  stopCpu(): void {
    this.stopRequested = true;
  }

  /** Stella's System::peek as used by ALE's RAM readers and the CPU reset: updates the data bus, no cycles. */
  systemPeek(address: number): number {
    const a = address & 0x1fff;
    let v: number;
    if (a & 0x1000) {
      v = this.cart.peek(address);
      this.updateReadWindow();
    } else if ((a & 0x80) === 0) v = this.tia.peek(a);
    else if ((a & 0x200) === 0) v = this.riot.ram[a & 0x7f]!;
    else v = this.riot.peek(a);
    this.lastAccess = (this.lastAccess & WRITE_FLAG) | v;
    return v;
  }

  // ---------------------------------------------------------------- system

  private resetCycles(): void {
    this.riot.systemCyclesReset(this.cycles);
    this.tia.systemCyclesReset(this.cycles);
    this.cycles = 0;
  }

  /** Console reset (Stella's System::reset): devices in attach order, then the CPU. RIOT RAM is kept. */
  reset(): void {
    this.resetCycles();
    this.riot.reset(this.rng);
    this.tia.reset();
    this.cart.reset(this.rng);
    this.updateReadWindow();
    // The CPU's reset reads happen with the bus quiet in ALE's Stella; their only lasting effect is un-jamming.
    this.cpu.jammed = false;
    this.cpu.a = 0;
    this.cpu.x = 0;
    this.cpu.y = 0;
    this.cpu.sp = 0xff;
    this.cpu.p = 0x20;
    this.lastAccess &= 0xff;
    this.cpu.pc = this.systemPeek(0xfffc) | (this.systemPeek(0xfffd) << 8);
  }

  /**
   * Emulates one frame (one TIA update). Returns the number of scanlines of the frame. `observed` false: the caller
   * will not look at this frame's screen, so its pixels need not be drawn (tia.ts); screens read later are the same.
   */
  runFrame(observed = true): number {
    const tia = this.tia;
    if (!tia.partialFrame) tia.startFrame(() => this.resetCycles(), observed);
    tia.partialFrame = true;
    this.stopRequested = false;
    this.instructions += this.cpu.run(INSTRUCTIONS_PER_UPDATE);
    tia.finishUpdate();
    return tia.currentScanline;
  }

  // ---------------------------------------------------------------- output

  get screenWidth(): number {
    return 160;
  }

  get screenHeight(): number {
    return this.tia.height;
  }

  /** Palette indices of the exported screen (height x 160), a view into the TIA's buffer. */
  screen(): Uint8Array {
    return this.tia.screen();
  }

  /** The screen as RGB bytes [height, 160, 3], written into `out` (default a new array). */
  screenRGB(out: Uint8Array<ArrayBufferLike> = new Uint8Array(160 * this.tia.height * 3)): Uint8Array<ArrayBufferLike> {
    writeRgb(this.screen(), this.palette, out);
    return out;
  }

  /** The screen as grayscale bytes [height, 160], written into `out` (default a new array). */
  screenGrayscale(
    out: Uint8Array<ArrayBufferLike> = new Uint8Array(160 * this.tia.height),
  ): Uint8Array<ArrayBufferLike> {
    const src = this.screen();
    const gray = this.palette.gray;
    for (let i = 0; i < src.length; i++) out[i] = gray[src[i]!]!;
    return out;
  }

  /** The 128 bytes of RIOT RAM, written into `out` (default a new array). */
  ramInto(out: Uint8Array<ArrayBufferLike>): Uint8Array<ArrayBufferLike> {
    out.set(this.riot.ram);
    return out;
  }

  /** The 128 bytes of RIOT RAM (a copy). */
  ram(): Uint8Array {
    return this.riot.ram.slice();
  }

  // ---------------------------------------------------------------- state

  saveState(): Uint8Array {
    const w = new ByteWriter();
    w.string(STATE_MAGIC);
    w.string(this.md5);
    w.bytes(this.cpu.saveState());
    w.f64(this.cycles);
    w.i32(this.lastAccess);
    w.f64(this.instructions);
    w.bytes(this.rng.saveState());
    this.riot.saveState(w);
    this.tia.saveState(w);
    this.cart.saveState(w);
    this.events.saveState(w);
    w.u8(this.ports.switchBits);
    return w.finish();
  }

  loadState(state: Uint8Array): void {
    const r = new ByteReader(state);
    if (r.string() !== STATE_MAGIC) throw new Error('Machine.loadState: not a machine state');
    if (r.string() !== this.md5) throw new Error('Machine.loadState: state belongs to another ROM');
    this.cpu.loadState(r.bytes());
    this.cycles = r.f64();
    this.lastAccess = r.i32();
    this.instructions = r.f64();
    this.rng.loadState(r.bytes());
    this.riot.loadState(r);
    this.tia.loadState(r);
    this.cart.loadState(r);
    this.updateReadWindow();
    this.events.loadState(r);
    this.ports.switchBits = r.u8();
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Palette indices -> RGB bytes. Where `out` is 4-byte aligned (batch rows are) four pixels go out as three 32-bit
 * words from the packed palette: on a [210, 160, 3] frame this is several times faster than 100,800 byte stores.
 *
 * Each loop is a function of its own: V8 optimizes a long loop while it runs (on-stack replacement), and code after
 * such a loop that had never run (the byte loop's palette lookup) made the optimized code deoptimize on every call,
 * about one step in ten of an 8-env session (`node --trace-deopt`).
 */
export function writeRgb(src: Uint8Array, palette: Palette, out: Uint8Array<ArrayBufferLike>): void {
  const n = src.length;
  const whole = LITTLE_ENDIAN && (out.byteOffset & 3) === 0 && (src.byteOffset & 3) === 0 ? n & ~3 : 0;
  if (whole > 0) {
    writeRgbWords(
      new Int32Array(src.buffer, src.byteOffset, whole >> 2),
      palette,
      new Int32Array(out.buffer, out.byteOffset, (whole >> 2) * 3),
    );
  }
  if (whole < n) writeRgbBytes(src, palette.rgb, out, whole);
}

/**
 * Pixels 0 .. 4 * src4.length, four at a time (one word of `src4`), as 32-bit words: r g b r | g b r g | b r g b.
 * Four pixels of one colour (most of an Atari screen) are the palette's three words for that colour.
 */
function writeRgbWords(src4: Int32Array, palette: Palette, words: Int32Array): void {
  const packed = palette.packedRgb;
  const uniform = palette.uniformRgbWords;
  for (let i = 0, w = 0; i < src4.length; i++, w += 3) {
    const four = src4[i]!;
    const p0 = four & 0xff;
    if (four === (p0 | (p0 << 8) | (p0 << 16) | (p0 << 24))) {
      const u = 3 * p0;
      words[w] = uniform[u]!;
      words[w + 1] = uniform[u + 1]!;
      words[w + 2] = uniform[u + 2]!;
      continue;
    }
    const c0 = packed[p0]!;
    const c1 = packed[(four >>> 8) & 0xff]!;
    const c2 = packed[(four >>> 16) & 0xff]!;
    const c3 = packed[four >>> 24]!;
    words[w] = c0 | (c1 << 24);
    words[w + 1] = (c1 >>> 8) | (c2 << 16);
    words[w + 2] = (c2 >>> 16) | (c3 << 8);
  }
}

/** Pixels from `first` on, byte by byte. */
function writeRgbBytes(src: Uint8Array, rgb: Uint8Array, out: Uint8Array<ArrayBufferLike>, first: number): void {
  for (let i = first, o = first * 3; i < src.length; i++, o += 3) {
    const p = src[i]! * 3;
    out[o] = rgb[p]!;
    out[o + 1] = rgb[p + 1]!;
    out[o + 2] = rgb[p + 2]!;
  }
}
