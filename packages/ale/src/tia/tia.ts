/**
 * TIA (Television Interface Adaptor) following the model of the Stella 2.x TIA in ALE (src/ale/emucore/TIA.cxx),
 * so that frames match ale-py pixel for pixel. Model (documented, not the real chip's per-clock counters):
 *
 * - Time is the system CPU-cycle counter `sys.cycles` (incremented before every bus access); the TIA colour clock
 *   is `3 * cycles`. Drawing is lazy: every TIA access first renders the frame up to the current colour clock
 *   (plus a per-register write delay), one colour clock = one pixel, only inside the exported window (lines
 *   `yStart .. yStart + height`, 160 pixels after the 68-clock HBLANK), in runs (span-renderer.ts). Collisions are
 *   latched while drawing.
 * - Objects are positions (0-159) plus masks (graphics.ts); RESPx/RESMx/RESBL set the position from the beam position with the
 *   fixed start delays (+5 players, +4 missiles/ball; 3/2 during HBLANK); HMOVE adds the motion of the table for
 *   the CPU cycle it was written at (late HMOVE), and enables the 8-pixel HMOVE blank when written at cycles 0-20
 *   or 75.
 * - WSYNC advances `sys.cycles` to the end of the line (the bus absorbs the halted cycles).
 * - A frame ends when VSYNC is switched off at least one line after it was switched on, or after 290 (PAL 342)
 *   scanlines; the machine's frame loop stops the CPU then.
 *
 * Unobserved frames (`startFrame(..., observed = false)`, e.g. the first frames of an ALE frame skip): only what
 * the game can read is computed (the collision latches); the pixels are not drawn, and the frame's accesses are
 * logged instead (frame-log.ts). Its buffer then holds a pending frame. The pixels are drawn from the log, by a
 * second TIA, only if something needs them: reading the screen or saving the state, or a later frame into the same
 * buffer that does not cover the whole window (its last lines keep the pixels of the frame two before, as in
 * Stella). A skipped frame that ends short or is interrupted is drawn at once; the second such frame within 600
 * frames makes the next frames drawn eagerly for a while (games that end frames early tend to keep doing so). That
 * bookkeeping and the replay are undrawn-frames.ts; this file records the accesses and decides when a frame is
 * finished.
 */
import { type PictureRenderer, TiaGraphics } from './graphics.js';
import { loadGraphics, saveGraphics } from './graphics-state.js';
import { EVENT_AFTER_READ, EVENT_WRITE } from './frame-log.js';
import { SpanRenderer, fillRun } from './span-renderer.js';
import { HMOVE_BLANK_CYCLES, PLAYER_RESET_WHEN, POKE_DELAY, resetWhenIndex } from './tables.js';
import { type FinishedFrame, type ReplayTia, UndrawnFrames } from './undrawn-frames.js';
import { ByteReader, ByteWriter } from '../util/bytes.js';

const HBLANK = 68;
/** Write delay (colour clocks) of PF0-PF2 by CPU cycle of the line mod 4. */
const PLAYFIELD_DELAY = [4, 5, 2, 3];
const BUFFER_SIZE = 160 * 300;
const MAX_INT = 0x7fffffff;

/** What the TIA needs from the rest of the machine. */
export interface TiaSystem {
  /** CPU cycles since the start of the frame (already incremented for the current access). */
  cycles: number;
  /** Last value seen on the data bus (source of the undriven bits of TIA reads). */
  readonly dataBus: number;
  /** Whether the access before the current one was a read (WSYNC only halts after a read). */
  readonly lastAccessWasRead: boolean;
  /** Ask the CPU loop to stop after the current instruction. */
  stopCpu(): void;
}

/** Controller inputs as the TIA reads them. */
export interface TiaInputs {
  /** Resistance on INPT0-3 (0 = minimum/charged at once, 0x7fffffff = not connected). */
  resistance(pin: number): number;
  /** INPT4/INPT5 (0 = left, 1 = right): true when the pin is high (button not pressed). */
  triggerHigh(port: number): boolean;
}

export interface TiaConfig {
  yStart: number;
  height: number;
  pal: boolean;
  hmoveBlanks: boolean;
}

const NO_INPUTS: TiaInputs = { resistance: () => MAX_INT, triggerHigh: () => true };

export class Tia implements PictureRenderer, ReplayTia {
  /**
   * Frame buffers of palette indices (160 x up to 300 lines); `current` is the one being drawn. Read them through
   * `screen()`: a buffer may hold an undrawn frame.
   */
  private current: Uint8Array = new Uint8Array(BUFFER_SIZE);
  private previous: Uint8Array = new Uint8Array(BUFFER_SIZE);
  private current32: Uint32Array = new Uint32Array(this.current.buffer);
  private previous32: Uint32Array = new Uint32Array(this.previous.buffer);
  /** Undrawn frames: the buffers' pending frames, the log being recorded, their replay (see the header). */
  private readonly undrawn: UndrawnFrames;
  /** The frame `settlePixels` hands to `undrawn` (one object, reused). */
  private readonly finished: FinishedFrame;
  /** End of the pixels the frame being drawn has written (buffer offset). */
  private writtenEnd = 0;
  /** Graphics registers, object positions and masks, collisions. */
  readonly gfx = new TiaGraphics(this);
  private readonly renderer = new SpanRenderer();

  // Timing (colour clocks relative to cycles * 3; may be negative).
  private clockWhenFrameStarted = 0;
  private clockStartDisplay = 0;
  private clockStopDisplay = 0;
  private clockAtLastUpdate = 0;
  private clocksToEndOfScanLine = 228;
  /**
   * How far writes that could not change the picture would have rendered (TiaGraphics.write). Every render goes at
   * least this far, so pixels come out as if each of those writes had rendered.
   */
  private undrawnUntil = -MAX_INT;
  /** The colour clock the write being applied renders up to if it changes the picture, and whether it did. */
  private writeClock = 0;
  private writeRendered = false;
  private vsyncFinishClock = MAX_INT;
  private framePointer = 0;
  scanlineCountForLastFrame = 0;
  currentScanline = 0;
  /** A frame was interrupted by the instruction limit and continues in the next update. */
  partialFrame = false;
  private frameGreyed = false;
  frameCounter = 0;

  private startDisplayOffset = 0;
  private stopDisplayOffset = 0;
  maxScanlines = 290;

  private vsync = 0;
  private hmoveBlankEnabled = false;
  private dumpEnabled = false;
  private dumpDisabledCycle = 0;

  constructor(
    private readonly sys: TiaSystem,
    private readonly inputs: TiaInputs,
    private config: TiaConfig,
  ) {
    this.undrawn = new UndrawnFrames((sys) => new Tia(sys, NO_INPUTS, this.config), config);
    this.finished = {
      pixels: this.current,
      pixels32: this.current32,
      covered: false,
      writtenEnd: 0,
      framePointer: 0,
      windowSize: 0,
    };
  }

  setConfig(config: TiaConfig): void {
    this.config = config;
    this.undrawn.setConfig(config);
  }

  get height(): number {
    return this.config.height;
  }

  /** Collision latches (bits as Stella's: M0-P1 0x0001 ... M0-M1 0x4000). */
  get collision(): number {
    return this.gfx.collision;
  }

  reset(): void {
    this.gfx.reset();
    this.vsync = 0;
    this.hmoveBlankEnabled = false;
    this.dumpEnabled = false;
    this.dumpDisabledCycle = 0;
    this.maxScanlines = this.config.pal ? 342 : 290;
    this.frameReset();
  }

  private frameReset(): void {
    this.undrawn.drop(true);
    this.current.fill(0);
    this.previous.fill(0);
    this.framePointer = 0;
    this.startDisplayOffset = 228 * this.config.yStart;
    this.stopDisplayOffset = this.startDisplayOffset + 228 * this.config.height;
    this.clockWhenFrameStarted = this.sys.cycles * 3;
    this.clockStartDisplay = this.clockWhenFrameStarted + this.startDisplayOffset;
    this.clockStopDisplay = this.clockWhenFrameStarted + this.stopDisplayOffset;
    this.clockAtLastUpdate = this.clockWhenFrameStarted;
    this.undrawnUntil = -MAX_INT;
    this.clocksToEndOfScanLine = 228;
    this.vsyncFinishClock = MAX_INT;
    this.scanlineCountForLastFrame = 0;
    this.updateColorLoss();
    this.currentScanline = 0;
  }

  /** The system cycle counter is about to be reset to zero (start of a frame): rebase all clocks. */
  systemCyclesReset(cycles: number): void {
    this.dumpDisabledCycle = (this.dumpDisabledCycle - cycles) | 0;
    const clocks = cycles * 3;
    this.clockWhenFrameStarted -= clocks;
    this.clockStartDisplay -= clocks;
    this.clockStopDisplay -= clocks;
    this.clockAtLastUpdate -= clocks;
    this.vsyncFinishClock = (this.vsyncFinishClock - clocks) | 0;
    this.gfx.lastHmoveClock -= clocks;
  }

  /** Colour clock within the current scanline (0-227) of a system colour clock. */
  private hposAt(clock: number): number {
    return (clock - this.clockWhenFrameStarted) % 228;
  }

  /**
   * Start of a frame: swap buffers, keep the horizontal phase, and let the caller reset the cycle counter.
   * `resetCycles` must call systemCyclesReset on every device and zero `sys.cycles`. `observed` false: nobody
   * looks at this frame's picture (see the header); the screen read later is the same either way.
   */
  startFrame(resetCycles: () => void, observed = true): void {
    const tmp = this.current;
    this.current = this.previous;
    this.previous = tmp;
    const tmp32 = this.current32;
    this.current32 = this.previous32;
    this.previous32 = tmp32;
    const clocks = this.hposAt(this.sys.cycles * 3);
    resetCycles();
    // 0 - clocks, not -clocks: -0 would turn the field into a double and every `% 228` into a slow fmod.
    this.clockWhenFrameStarted = 0 - clocks;
    this.clockStartDisplay = this.clockWhenFrameStarted + this.startDisplayOffset;
    this.clockStopDisplay = this.clockWhenFrameStarted + this.stopDisplayOffset;
    this.clockAtLastUpdate = this.clockStartDisplay;
    this.undrawnUntil = -MAX_INT;
    this.clocksToEndOfScanLine = 228;
    this.framePointer = 0;
    // Not only later colour writes: Stella also recolours the registers as they stand when a frame starts.
    if (this.config.pal) this.gfx.recolorForColorLoss();
    this.frameGreyed = false;
    this.writtenEnd = 0;
    this.undrawn.startFrame(observed, (w) => this.saveState(w, false));
  }

  /** After the CPU loop of one update: record scanlines, grey out an unfinished frame. */
  finishUpdate(): void {
    this.updateFrame(this.undrawnUntil);
    this.settlePixels();
    const total = this.sys.cycles * 3 - this.clockWhenFrameStarted;
    this.currentScanline = Math.floor(total / 228);
    if (this.partialFrame) {
      if (!this.frameGreyed) this.greyOutFrame();
      this.frameGreyed = true;
    } else {
      this.scanlineCountForLastFrame = this.currentScanline;
      this.updateColorLoss();
      this.frameCounter++;
      this.frameGreyed = false;
    }
  }

  /** Stella's PAL colour loss: colour writes get bit 0 set while the last frame had an odd scanline count. */
  private updateColorLoss(): void {
    this.gfx.colorLoss = this.config.pal ? this.scanlineCountForLastFrame & 1 : 0;
  }

  /** Scanlines since the start of the frame. */
  scanlines(): number {
    return Math.floor((this.sys.cycles * 3 - this.clockWhenFrameStarted) / 228);
  }

  /** End of an update: let `undrawn` decide what the current buffer holds (a pending frame, or drawn pixels). */
  private settlePixels(): void {
    const f = this.finished;
    f.pixels = this.current;
    f.pixels32 = this.current32;
    f.covered = this.clockAtLastUpdate >= this.clockStopDisplay && !this.partialFrame;
    f.writtenEnd = this.writtenEnd;
    f.framePointer = this.framePointer;
    f.windowSize = 160 * this.config.height;
    this.writtenEnd = this.undrawn.settle(f);
  }

  // ---------------------------------------------------------------- replay (ReplayTia: this TIA draws another's log)

  beginReplay(config: TiaConfig, state: ByteReader, buf: Uint8Array | null, buf32: Uint32Array | null): void {
    this.setConfig(config);
    this.loadState(state, false);
    if (buf !== null && buf32 !== null) {
      this.current = buf;
      this.current32 = buf32;
    } else {
      this.current = this.previous;
      this.current32 = this.previous32;
    }
  }

  endReplay(): void {
    this.updateFrame(this.undrawnUntil);
  }

  get replayPixels(): Uint8Array {
    return this.current;
  }

  get replayWrittenEnd(): number {
    return this.writtenEnd;
  }

  /** Palette indices of the last frame (the exported window, 160 x height), drawn if it was not. */
  screen(): Uint8Array {
    this.undrawn.drawCurrent(this.current, this.current32);
    return this.current.subarray(0, 160 * this.config.height);
  }

  private greyOutFrame(): void {
    const yStart = this.config.yStart;
    let c = this.scanlines();
    if (c < yStart) c = yStart;
    const buf = this.current;
    for (let s = c; s < this.config.height + yStart; s++) {
      const row = (s - yStart) * 160;
      for (let i = 0; i < 160; i++) buf[row + i] = (buf[row + i]! & 0x0f) >> 1;
    }
  }

  // ---------------------------------------------------------------- drawing

  /** Renders the exported window up to colour clock `clockIn`, line by line, in runs. */
  private updateFrame(clockIn: number): void {
    let clock = clockIn > this.undrawnUntil ? clockIn : this.undrawnUntil;
    if (
      clock < this.clockStartDisplay ||
      this.clockAtLastUpdate >= this.clockStopDisplay ||
      this.clockAtLastUpdate >= clock
    ) {
      return;
    }
    if (clock > this.clockStopDisplay) clock = this.clockStopDisplay;
    const paint = this.undrawn.recording === null;
    do {
      let clocksToUpdate: number;
      let clocksFromStartOfScanLine = 228 - this.clocksToEndOfScanLine;
      if (clock > this.clockAtLastUpdate + this.clocksToEndOfScanLine) {
        clocksToUpdate = this.clocksToEndOfScanLine;
        this.clocksToEndOfScanLine = 228;
        this.clockAtLastUpdate += clocksToUpdate;
      } else {
        clocksToUpdate = clock - this.clockAtLastUpdate;
        this.clocksToEndOfScanLine -= clocksToUpdate;
        this.clockAtLastUpdate = clock;
      }
      if (clocksFromStartOfScanLine < HBLANK) {
        const tmp =
          HBLANK - clocksFromStartOfScanLine < clocksToUpdate ? HBLANK - clocksFromStartOfScanLine : clocksToUpdate;
        clocksFromStartOfScanLine += tmp;
        clocksToUpdate -= tmp;
      }
      const oldFramePointer = this.framePointer;
      if (clocksToUpdate !== 0) {
        this.renderer.draw(
          this.gfx,
          this.current,
          this.current32,
          oldFramePointer,
          clocksToUpdate,
          clocksFromStartOfScanLine - HBLANK,
          paint,
        );
        this.framePointer = oldFramePointer + clocksToUpdate;
      }
      if (this.hmoveBlankEnabled && clocksFromStartOfScanLine < HBLANK + 8) {
        const blanks = HBLANK + 8 - clocksFromStartOfScanLine;
        // Up to 76 pixels when the run ended inside HBLANK (later runs draw over all but the first 8); never past
        // the window, so that the bytes after it stay zero whichever frames were drawn.
        const end = Math.min(oldFramePointer + blanks, 160 * this.config.height);
        if (paint) fillRun(this.current, this.current32, oldFramePointer, end, 0);
        if (end > this.writtenEnd) this.writtenEnd = end;
        if (clocksToUpdate + clocksFromStartOfScanLine >= HBLANK + 8) this.hmoveBlankEnabled = false;
      }
      if (this.clocksToEndOfScanLine === 228) this.gfx.endOfScanline();
    } while (this.clockAtLastUpdate < clock);
  }

  // ---------------------------------------------------------------- bus access

  peek(address: number): number {
    const sys = this.sys;
    // Only the collision latches depend on drawing; the other reads leave it to the next access (same pixels).
    if ((address & 0x08) === 0) {
      this.undrawn.recording?.record(sys.cycles, address & 0x0f);
      this.updateFrame(sys.cycles * 3);
    }
    const noise = sys.dataBus & 0x3f;
    const c = this.gfx.collision;
    switch (address & 0x0f) {
      case 0x00:
        return (c & 0x0001 ? 0x80 : 0) | (c & 0x0002 ? 0x40 : 0) | noise;
      case 0x01:
        return (c & 0x0004 ? 0x80 : 0) | (c & 0x0008 ? 0x40 : 0) | noise;
      case 0x02:
        return (c & 0x0010 ? 0x80 : 0) | (c & 0x0020 ? 0x40 : 0) | noise;
      case 0x03:
        return (c & 0x0040 ? 0x80 : 0) | (c & 0x0080 ? 0x40 : 0) | noise;
      case 0x04:
        return (c & 0x0100 ? 0x80 : 0) | (c & 0x0200 ? 0x40 : 0) | noise;
      case 0x05:
        return (c & 0x0400 ? 0x80 : 0) | (c & 0x0800 ? 0x40 : 0) | noise;
      case 0x06:
        return (c & 0x1000 ? 0x80 : 0) | noise;
      case 0x07:
        return (c & 0x2000 ? 0x80 : 0) | (c & 0x4000 ? 0x40 : 0) | noise;
      case 0x08:
      case 0x09:
      case 0x0a:
      case 0x0b:
        return this.readPot(address & 3) | noise;
      case 0x0c:
        return this.inputs.triggerHigh(0) ? 0x80 | noise : noise;
      case 0x0d:
        return this.inputs.triggerHigh(1) ? 0x80 | noise : noise;
      default:
        return noise;
    }
  }

  /** Paddle pot: bit 7 once the capacitor has charged through the resistance since the dump was released. */
  private readPot(pin: number): number {
    const r = this.inputs.resistance(pin);
    if (r === 0) return 0x80;
    if (r === MAX_INT || this.dumpEnabled) return 0;
    const t = 1.6 * r * 0.01e-6;
    const needed = Math.trunc(t * 1.19e6) >>> 0;
    // uint32 arithmetic as in Stella: int + uint32 wraps.
    return this.sys.cycles > (this.dumpDisabledCycle + needed) >>> 0 ? 0x80 : 0;
  }

  poke(address: number, value: number): void {
    const addr = address & 0x3f;
    const sys = this.sys;
    this.undrawn.recording?.record(
      sys.cycles,
      addr | (value << 8) | EVENT_WRITE | (sys.lastAccessWasRead ? EVENT_AFTER_READ : 0),
    );
    const clock = sys.cycles * 3;
    // The beam position (a modulo) only for the registers that need it.
    let delay = POKE_DELAY[addr]!;
    if (delay === -1) delay = PLAYFIELD_DELAY[((this.hposAt(clock) / 3) | 0) & 3]!;
    this.writeClock = clock + delay;
    this.writeRendered = false;

    if (clock - this.clockWhenFrameStarted >= (this.maxScanlines + 1) * 228) {
      this.renderBeforeChange();
      sys.stopCpu();
      this.partialFrame = false;
    }

    // The TIA's own registers that change the picture (VSYNC, VBLANK, CTRLPF, RESxx, HMOVE) render first; the
    // graphics registers, HMM0 included, decide themselves.
    if (addr < 0x02 || addr === 0x0a || (addr >= 0x10 && addr <= 0x14) || addr === 0x2a) this.renderBeforeChange();
    switch (addr) {
      case 0x00: // VSYNC
        this.vsync = value;
        if (value & 0x02) {
          this.vsyncFinishClock = clock + 228;
        } else if (clock >= this.vsyncFinishClock) {
          this.vsyncFinishClock = MAX_INT;
          sys.stopCpu();
          this.partialFrame = false;
        }
        break;
      case 0x01: // VBLANK
        if (!(this.gfx.vblank & 0x80) && value & 0x80) this.dumpEnabled = true;
        if (this.gfx.vblank & 0x80 && !(value & 0x80)) {
          this.dumpEnabled = false;
          this.dumpDisabledCycle = sys.cycles;
        }
        this.gfx.vblank = value;
        break;
      case 0x02: // WSYNC
        if (sys.lastAccessWasRead) {
          // Stella: 76 - ((cycles - clockWhenFrameStarted / 3) % 76); the frame start is a multiple of 3 clocks.
          const cyclesToEndOfLine = 76 - this.hposAt(clock) / 3;
          if (cyclesToEndOfLine < 76) sys.cycles += cyclesToEndOfLine;
        }
        break;
      case 0x03: // RSYNC: not emulated by this model
        break;
      case 0x0a:
        this.gfx.writeCtrlpf(value, this.hposAt(clock));
        break;
      case 0x10:
        this.resetPlayer(0, clock, this.hposAt(clock));
        break;
      case 0x11:
        this.resetPlayer(1, clock, this.hposAt(clock));
        break;
      case 0x12:
        this.gfx.resetMissile0(this.hposAt(clock), clock);
        break;
      case 0x13:
        this.gfx.resetMissile1(this.hposAt(clock), clock);
        break;
      case 0x14:
        this.gfx.resetBall(this.hposAt(clock), clock);
        break;
      case 0x22:
        this.gfx.writeHmm0(value, clock);
        break;
      case 0x2a: {
        // HMOVE
        const cycle = (this.hposAt(clock) / 3) | 0;
        if (this.config.hmoveBlanks && HMOVE_BLANK_CYCLES[cycle]) this.hmoveBlankEnabled = true;
        this.gfx.hmove(cycle, clock);
        break;
      }
      default:
        this.gfx.write(addr, value);
        break;
    }
    if (!this.writeRendered && this.writeClock > this.undrawnUntil) this.undrawnUntil = this.writeClock;
  }

  /** PictureRenderer: the write being applied changes the picture; render up to its clock first (once). */
  renderBeforeChange(): void {
    if (this.writeRendered) return;
    this.writeRendered = true;
    this.updateFrame(this.writeClock);
  }

  /** RESP0/RESP1: the new copy shows at once, after the current copy, or from the next line (Stella's "when"). */
  private resetPlayer(which: 0 | 1, clock: number, hpos: number): void {
    const g = this.gfx;
    const newx = hpos < HBLANK ? 3 : (hpos - HBLANK + 5) % 160;
    const nusiz = which === 0 ? g.nusiz0 : g.nusiz1;
    const oldx = which === 0 ? g.posP0 : g.posP1;
    const when = PLAYER_RESET_WHEN[resetWhenIndex(nusiz & 7, oldx, newx)]!;
    if (when === 1) this.updateFrame(clock + 11);
    g.setPlayerPosition(which, newx, when === -1 ? 0 : 1);
  }

  // ---------------------------------------------------------------- state

  /** `pixels` false: without the frame buffers (the start of a logged frame). */
  saveState(w: ByteWriter, pixels = true): void {
    if (pixels) {
      this.undrawn.drawCurrent(this.current, this.current32);
      this.undrawn.drawPrevious(this.previous, this.previous32);
    }
    const ints = [
      this.clockWhenFrameStarted,
      this.clockStartDisplay,
      this.clockStopDisplay,
      this.clockAtLastUpdate,
      this.clocksToEndOfScanLine,
      this.vsyncFinishClock,
      this.framePointer,
      this.scanlineCountForLastFrame,
      this.currentScanline,
      this.frameCounter,
      this.startDisplayOffset,
      this.stopDisplayOffset,
      this.maxScanlines,
      this.vsync,
      this.dumpDisabledCycle,
    ];
    w.i32(ints.length);
    for (const v of ints) w.i32(v);
    for (const b of [this.partialFrame, this.frameGreyed, this.hmoveBlankEnabled, this.dumpEnabled]) w.bool(b);
    saveGraphics(this.gfx, w);
    if (!pixels) return;
    w.bytes(this.current);
    w.bytes(this.previous);
  }

  loadState(r: ByteReader, pixels = true): void {
    this.undrawn.drop(false);
    const n = r.i32();
    const v: number[] = [];
    for (let i = 0; i < n; i++) v.push(r.i32());
    [
      this.clockWhenFrameStarted,
      this.clockStartDisplay,
      this.clockStopDisplay,
      this.clockAtLastUpdate,
      this.clocksToEndOfScanLine,
      this.vsyncFinishClock,
      this.framePointer,
      this.scanlineCountForLastFrame,
      this.currentScanline,
      this.frameCounter,
      this.startDisplayOffset,
      this.stopDisplayOffset,
      this.maxScanlines,
      this.vsync,
      this.dumpDisabledCycle,
    ] = v as [number, ...number[]];
    this.partialFrame = r.bool();
    this.frameGreyed = r.bool();
    this.hmoveBlankEnabled = r.bool();
    this.dumpEnabled = r.bool();
    this.undrawnUntil = -MAX_INT;
    loadGraphics(this.gfx, r);
    this.updateColorLoss();
    if (!pixels) return;
    r.into(this.current);
    r.into(this.previous);
  }
}
