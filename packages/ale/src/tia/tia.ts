/**
 * TIA (Television Interface Adaptor) following the model of the Stella 2.x TIA in ALE (src/ale/emucore/TIA.cxx),
 * so that frames match ale-py pixel for pixel. Model (documented, not the real chip's per-clock counters):
 *
 * - Time is the system CPU-cycle counter `sys.cycles` (incremented before every bus access); the TIA colour clock
 *   is `3 * cycles`. Drawing is lazy: every TIA access first renders the frame up to the current colour clock
 *   (plus a per-register write delay), one colour clock = one pixel, only inside the exported window (lines
 *   `yStart .. yStart + height`, 160 pixels after the 68-clock HBLANK). Collisions are latched while drawing.
 * - Objects are positions (0-159) plus masks; RESPx/RESMx/RESBL set the position from the beam position with the
 *   fixed start delays (+5 players, +4 missiles/ball; 3/2 during HBLANK); HMOVE adds the motion of the table for
 *   the CPU cycle it was written at (late HMOVE), and enables the 8-pixel HMOVE blank when written at cycles 0-20
 *   or 75.
 * - WSYNC advances `sys.cycles` to the end of the line (the bus absorbs the halted cycles).
 * - A frame ends when VSYNC is switched off at least one line after it was switched on, or after 290 (PAL 342)
 *   scanlines; the machine's frame loop stops the CPU then.
 */
import {
  BALL_MASKS, COLLISION_TABLE, HMOVE_BLANK_CYCLES, HMOVE_MOTION, MISSILE_DISABLED_INDEX,
  MISSILE_MASKS, PLAYER_MASKS, PLAYER_RESET_WHEN, PLAYFIELD_MASKS, POKE_DELAY,
  PRIORITY_ENCODER, REFLECT, ballMaskIndex, missileMaskIndex, playerMaskIndex, resetWhenIndex,
} from './tables.js';
import type { ByteReader, ByteWriter } from '../util/bytes.js';

const HBLANK = 68;
const K_PF_BIT = 0x01;
const K_BL_BIT = 0x02;
const K_P1_BIT = 0x04;
const K_M1_BIT = 0x08;
const K_P0_BIT = 0x10;
const K_M0_BIT = 0x20;
const PF_NORMAL = PLAYFIELD_MASKS[0];
const PF_REFLECTED = PLAYFIELD_MASKS[1];
const BALL_T = BALL_MASKS;
const MISSILE_T = MISSILE_MASKS;
const PLAYER_T = PLAYER_MASKS;
const COLLISION_T = COLLISION_TABLE;
const ENC_LEFT = PRIORITY_ENCODER[0];
const ENC_RIGHT = PRIORITY_ENCODER[1];
const POKE_DELAY_T = POKE_DELAY;
const MOTION_T = HMOVE_MOTION;
const BLANK_CYCLES_T = HMOVE_BLANK_CYCLES;
const RESET_WHEN_T = PLAYER_RESET_WHEN;
const REFLECT_T = REFLECT;
const MISSILE_DISABLED = MISSILE_DISABLED_INDEX;
const BUFFER_SIZE = 160 * 300;
const MAX_INT = 0x7fffffff;

/** What the TIA needs from the rest of the machine. */
export interface TiaSystem {
  /** CPU cycles since the start of the frame (already incremented for the current access). */
  cycles: number;
  /** Last value seen on the data bus (source of the undriven bits of TIA reads). */
  dataBus: number;
  /** Whether the access before the current one was a read (WSYNC only halts after a read). */
  lastAccessWasRead: boolean;
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

export class Tia {
  /** Frame buffers of palette indices (160 x up to 300 lines); `current` is the one being drawn. */
  current = new Uint8Array(BUFFER_SIZE);
  previous = new Uint8Array(BUFFER_SIZE);

  // Timing (colour clocks relative to cycles * 3; may be negative).
  private clockWhenFrameStarted = 0;
  private clockStartDisplay = 0;
  private clockStopDisplay = 0;
  private clockAtLastUpdate = 0;
  private clocksToEndOfScanLine = 228;
  private vsyncFinishClock = MAX_INT;
  private lastHmoveClock = 0;
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

  // Registers.
  private enabledObjects = 0;
  private vsync = 0;
  private vblank = 0;
  private nusiz0 = 0;
  private nusiz1 = 0;
  /** Colours: [BK, PF, P0, P1] (already masked with 0xfe). */
  private readonly color = new Uint8Array(4);
  private ctrlpf = 0;
  private pfPriorityAndScore = 0;
  private refp0 = false;
  private refp1 = false;
  private pf = 0;
  private grp0 = 0;
  private grp1 = 0;
  private dgrp0 = 0;
  private dgrp1 = 0;
  private enam0 = false;
  private enam1 = false;
  private enabl = false;
  private denabl = false;
  private hmp0 = 0;
  private hmp1 = 0;
  private hmm0 = 0;
  private hmm1 = 0;
  private hmbl = 0;
  private vdelp0 = false;
  private vdelp1 = false;
  private vdelbl = false;
  private resmp0 = false;
  private resmp1 = false;
  collision = 0;
  private posP0 = 0;
  private posP1 = 0;
  private posM0 = 0;
  private posM1 = 0;
  private posBL = 0;
  private currentGRP0 = 0;
  private currentGRP1 = 0;

  // Current masks: offsets into the mask tables; PF reflect state selects the playfield table.
  private blMask = 0;
  private m0Mask = 0;
  private m1Mask = 0;
  private p0Mask = 0;
  private p1Mask = 0;
  private pfReflect = 0;

  private hmoveBlankEnabled = false;
  private m0CosmicArk = false;
  private m0CosmicArkCounter = 0;
  private dumpEnabled = false;
  private dumpDisabledCycle = 0;

  constructor(
    private readonly sys: TiaSystem,
    private readonly inputs: TiaInputs,
    private config: TiaConfig,
  ) {}

  setConfig(config: TiaConfig): void {
    this.config = config;
  }

  get height(): number {
    return this.config.height;
  }

  reset(): void {
    this.enabledObjects = 0;
    this.vsync = 0;
    this.vblank = 0;
    this.nusiz0 = this.nusiz1 = 0;
    this.color.fill(0);
    this.ctrlpf = 0;
    this.pfPriorityAndScore = 0;
    this.refp0 = this.refp1 = false;
    this.pf = 0;
    this.grp0 = this.grp1 = this.dgrp0 = this.dgrp1 = 0;
    this.enam0 = this.enam1 = this.enabl = this.denabl = false;
    this.hmp0 = this.hmp1 = this.hmm0 = this.hmm1 = this.hmbl = 0;
    this.vdelp0 = this.vdelp1 = this.vdelbl = false;
    this.resmp0 = this.resmp1 = false;
    this.collision = 0;
    this.posP0 = this.posP1 = this.posM0 = this.posM1 = this.posBL = 0;
    this.currentGRP0 = this.currentGRP1 = 0;
    this.blMask = ballMaskIndex(0, 0);
    this.m0Mask = missileMaskIndex(0, 0, 0);
    this.m1Mask = missileMaskIndex(0, 0, 0);
    this.p0Mask = playerMaskIndex(0, 0, 0);
    this.p1Mask = playerMaskIndex(0, 0, 0);
    this.pfReflect = 0;
    this.lastHmoveClock = 0;
    this.hmoveBlankEnabled = false;
    this.m0CosmicArk = false;
    this.m0CosmicArkCounter = 0;
    this.dumpEnabled = false;
    this.dumpDisabledCycle = 0;
    this.maxScanlines = this.config.pal ? 342 : 290;
    this.frameReset();
  }

  private frameReset(): void {
    this.current.fill(0);
    this.previous.fill(0);
    this.framePointer = 0;
    this.startDisplayOffset = 228 * this.config.yStart;
    this.stopDisplayOffset = this.startDisplayOffset + 228 * this.config.height;
    this.clockWhenFrameStarted = this.sys.cycles * 3;
    this.clockStartDisplay = this.clockWhenFrameStarted + this.startDisplayOffset;
    this.clockStopDisplay = this.clockWhenFrameStarted + this.stopDisplayOffset;
    this.clockAtLastUpdate = this.clockWhenFrameStarted;
    this.clocksToEndOfScanLine = 228;
    this.vsyncFinishClock = MAX_INT;
    this.scanlineCountForLastFrame = 0;
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
    this.lastHmoveClock -= clocks;
  }

  /** Colour clocks since the start of the current scanline's frame origin. */
  private framePos(clock: number): number {
    return clock - this.clockWhenFrameStarted;
  }

  /**
   * Start of a frame: swap buffers, keep the horizontal phase, and let the caller reset the cycle counter.
   * `resetCycles` must call systemCyclesReset on every device and zero `sys.cycles`.
   */
  startFrame(resetCycles: () => void): void {
    const tmp = this.current;
    this.current = this.previous;
    this.previous = tmp;
    const clocks = (this.sys.cycles * 3 - this.clockWhenFrameStarted) % 228;
    resetCycles();
    this.clockWhenFrameStarted = -clocks;
    this.clockStartDisplay = this.clockWhenFrameStarted + this.startDisplayOffset;
    this.clockStopDisplay = this.clockWhenFrameStarted + this.stopDisplayOffset;
    this.clockAtLastUpdate = this.clockStartDisplay;
    this.clocksToEndOfScanLine = 228;
    this.framePointer = 0;
    this.frameGreyed = false;
  }

  /** After the CPU loop of one update: record scanlines, grey out an unfinished frame. */
  finishUpdate(): void {
    const total = this.sys.cycles * 3 - this.clockWhenFrameStarted;
    this.currentScanline = Math.floor(total / 228);
    if (this.partialFrame) {
      if (!this.frameGreyed) this.greyOutFrame();
      this.frameGreyed = true;
    } else {
      this.scanlineCountForLastFrame = this.currentScanline;
      this.frameCounter++;
      this.frameGreyed = false;
    }
  }

  /** Scanlines since the start of the frame. */
  scanlines(): number {
    return Math.floor((this.sys.cycles * 3 - this.clockWhenFrameStarted) / 228);
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

  private updateFrame(clockIn: number): void {
    let clock = clockIn;
    if (clock < this.clockStartDisplay || this.clockAtLastUpdate >= this.clockStopDisplay || this.clockAtLastUpdate >= clock) {
      return;
    }
    if (clock > this.clockStopDisplay) clock = this.clockStopDisplay;
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
        const tmp = HBLANK - clocksFromStartOfScanLine < clocksToUpdate ? HBLANK - clocksFromStartOfScanLine : clocksToUpdate;
        clocksFromStartOfScanLine += tmp;
        clocksToUpdate -= tmp;
      }
      const oldFramePointer = this.framePointer;
      if (clocksToUpdate !== 0) this.drawPixels(clocksToUpdate, clocksFromStartOfScanLine - HBLANK);
      if (this.hmoveBlankEnabled && clocksFromStartOfScanLine < HBLANK + 8) {
        const blanks = HBLANK + 8 - clocksFromStartOfScanLine;
        const end = Math.min(oldFramePointer + blanks, this.current.length);
        this.current.fill(0, oldFramePointer, end);
        if (clocksToUpdate + clocksFromStartOfScanLine >= HBLANK + 8) this.hmoveBlankEnabled = false;
      }
      if (this.clocksToEndOfScanLine === 228) this.endOfScanline();
    } while (this.clockAtLastUpdate < clock);
  }

  private endOfScanline(): void {
    this.pfReflect = this.ctrlpf & 0x01;
    this.p0Mask = playerMaskIndex(this.posP0 & 3, 0, this.nusiz0 & 7) + 160 - (this.posP0 & 0xfc);
    this.p1Mask = playerMaskIndex(this.posP1 & 3, 0, this.nusiz1 & 7) + 160 - (this.posP1 & 0xfc);
    if (this.m0CosmicArk) {
      const m = [18, 33, 0, 17];
      this.m0CosmicArkCounter = (this.m0CosmicArkCounter + 1) & 3;
      this.posM0 -= m[this.m0CosmicArkCounter]!;
      if (this.posM0 >= 160) this.posM0 -= 160;
      else if (this.posM0 < 0) this.posM0 += 160;
      if (this.m0CosmicArkCounter === 1) {
        this.m0Mask = missileMaskIndex(this.posM0 & 3, this.nusiz0 & 7, ((this.nusiz0 & 0x30) >> 4) | 1) + 160 - (this.posM0 & 0xfc);
      } else if (this.m0CosmicArkCounter === 2) {
        this.m0Mask = MISSILE_DISABLED;
      } else {
        this.updateM0Mask();
      }
    }
  }

  /** Draws `count` pixels starting at visible x = `hpos` (0-159) at the frame pointer. */
  private drawPixels(count: number, hposStart: number): void {
    const buf = this.current;
    let fp = this.framePointer;
    const end = fp + count;
    if (this.vblank & 0x02) {
      buf.fill(0, fp, Math.min(end, buf.length));
      this.framePointer = end;
      return;
    }
    const objects = this.enabledObjects;
    const color = this.color;
    if (objects === 0) {
      buf.fill(color[0]!, fp, Math.min(end, buf.length));
      this.framePointer = end;
      return;
    }
    // Local copies of the tables: module bindings can be accessors under some loaders.
    const pfMask = this.pfReflect ? PF_REFLECTED : PF_NORMAL;
    const ballMasks = BALL_T;
    const missileMasks = MISSILE_T;
    const playerMasks = PLAYER_T;
    const collisionTable = COLLISION_T;
    const encLeft = ENC_LEFT;
    const encRight = ENC_RIGHT;
    const pf = this.pf;
    const ps = this.pfPriorityAndScore;
    if (objects === 0x01) {
      // Playfield only: no collisions possible; colour from the priority encoder with just the PF bit.
      const pfL = color[ENC_LEFT[0x01 | ps]!]!;
      const pfR = color[ENC_RIGHT[0x01 | ps]!]!;
      const bk = color[0]!;
      const pf = this.pf;
      let hpos = hposStart;
      for (; fp < end; fp++, hpos++) buf[fp] = pf & pfMask[hpos]! ? (hpos < 80 ? pfL : pfR) : bk;
      this.framePointer = end;
      return;
    }
    const bl = objects & 0x02 ? this.blMask : -1;
    const m0 = objects & 0x20 ? this.m0Mask : -1;
    const m1 = objects & 0x08 ? this.m1Mask : -1;
    const g0 = this.currentGRP0;
    const g1 = this.currentGRP1;
    const p0 = this.p0Mask;
    const p1 = this.p1Mask;
    let collision = this.collision;
    let hpos = hposStart;
    for (; fp < end; fp++, hpos++) {
      let e = pf & pfMask[hpos]! ? 0x01 : 0;
      if (bl >= 0 && ballMasks[bl + hpos]) e |= 0x02;
      if (g1 & playerMasks[p1 + hpos]!) e |= 0x04;
      if (m1 >= 0 && missileMasks[m1 + hpos]) e |= 0x08;
      if (g0 & playerMasks[p0 + hpos]!) e |= 0x10;
      if (m0 >= 0 && missileMasks[m0 + hpos]) e |= 0x20;
      collision |= collisionTable[e]!;
      buf[fp] = color[(hpos < 80 ? encLeft : encRight)[e | ps]!]!;
    }
    this.collision = collision;
    this.framePointer = end;
  }

  // ---------------------------------------------------------------- mask helpers

  private updateP0Mask(enable: number): void {
    this.p0Mask = playerMaskIndex(this.posP0 & 3, enable, this.nusiz0 & 7) + 160 - (this.posP0 & 0xfc);
  }

  private updateP1Mask(enable: number): void {
    this.p1Mask = playerMaskIndex(this.posP1 & 3, enable, this.nusiz1 & 7) + 160 - (this.posP1 & 0xfc);
  }

  private updateM0Mask(): void {
    this.m0Mask = missileMaskIndex(this.posM0 & 3, this.nusiz0 & 7, (this.nusiz0 & 0x30) >> 4) + 160 - (this.posM0 & 0xfc);
  }

  private updateM1Mask(): void {
    this.m1Mask = missileMaskIndex(this.posM1 & 3, this.nusiz1 & 7, (this.nusiz1 & 0x30) >> 4) + 160 - (this.posM1 & 0xfc);
  }

  private updateBLMask(): void {
    this.blMask = ballMaskIndex(this.posBL & 3, (this.ctrlpf & 0x30) >> 4) + 160 - (this.posBL & 0xfc);
  }

  private setBit(bit: number, on: boolean): void {
    if (on) this.enabledObjects |= bit;
    else this.enabledObjects &= ~bit;
  }

  private refreshGrp(): void {
    const g0 = this.vdelp0 ? this.dgrp0 : this.grp0;
    this.currentGRP0 = this.refp0 ? REFLECT_T[g0]! : g0;
    const g1 = this.vdelp1 ? this.dgrp1 : this.grp1;
    this.currentGRP1 = this.refp1 ? REFLECT_T[g1]! : g1;
    this.setBit(K_P0_BIT, this.currentGRP0 !== 0);
    this.setBit(K_P1_BIT, this.currentGRP1 !== 0);
  }

  // ---------------------------------------------------------------- bus access

  peek(address: number): number {
    const sys = this.sys;
    this.updateFrame(sys.cycles * 3);
    const noise = sys.dataBus & 0x3f;
    const c = this.collision;
    switch (address & 0x0f) {
      case 0x00: return (c & 0x0001 ? 0x80 : 0) | (c & 0x0002 ? 0x40 : 0) | noise;
      case 0x01: return (c & 0x0004 ? 0x80 : 0) | (c & 0x0008 ? 0x40 : 0) | noise;
      case 0x02: return (c & 0x0010 ? 0x80 : 0) | (c & 0x0020 ? 0x40 : 0) | noise;
      case 0x03: return (c & 0x0040 ? 0x80 : 0) | (c & 0x0080 ? 0x40 : 0) | noise;
      case 0x04: return (c & 0x0100 ? 0x80 : 0) | (c & 0x0200 ? 0x40 : 0) | noise;
      case 0x05: return (c & 0x0400 ? 0x80 : 0) | (c & 0x0800 ? 0x40 : 0) | noise;
      case 0x06: return (c & 0x1000 ? 0x80 : 0) | noise;
      case 0x07: return (c & 0x2000 ? 0x80 : 0) | (c & 0x4000 ? 0x40 : 0) | noise;
      case 0x08: case 0x09: case 0x0a: case 0x0b:
        return this.readPot(address & 3) | noise;
      case 0x0c: return this.inputs.triggerHigh(0) ? 0x80 | noise : noise;
      case 0x0d: return this.inputs.triggerHigh(1) ? 0x80 | noise : noise;
      default: return noise;
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
    return this.sys.cycles > ((this.dumpDisabledCycle + needed) >>> 0) ? 0x80 : 0;
  }

  poke(address: number, value: number): void {
    const addr = address & 0x3f;
    const sys = this.sys;
    const clock = sys.cycles * 3;
    let delay = POKE_DELAY_T[addr]!;
    if (delay === -1) {
      const x = this.framePos(clock) % 228;
      delay = [4, 5, 2, 3][((x / 3) | 0) & 3]!;
    }
    this.updateFrame(clock + delay);

    if (Math.floor(this.framePos(clock) / 228) > this.maxScanlines) {
      sys.stopCpu();
      this.partialFrame = false;
    }

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
        if (!(this.vblank & 0x80) && value & 0x80) this.dumpEnabled = true;
        if (this.vblank & 0x80 && !(value & 0x80)) {
          this.dumpEnabled = false;
          this.dumpDisabledCycle = sys.cycles;
        }
        this.vblank = value;
        break;
      case 0x02: // WSYNC
        if (sys.lastAccessWasRead) {
          const cyclesToEndOfLine = 76 - ((sys.cycles - this.clockWhenFrameStarted / 3) % 76);
          if (cyclesToEndOfLine < 76) sys.cycles += cyclesToEndOfLine;
        }
        break;
      case 0x03: // RSYNC: not emulated by this model
        break;
      case 0x04:
        this.nusiz0 = value;
        this.updateP0Mask(0);
        this.updateM0Mask();
        break;
      case 0x05:
        this.nusiz1 = value;
        this.updateP1Mask(0);
        this.updateM1Mask();
        break;
      case 0x06: this.color[2] = value & 0xfe; break;
      case 0x07: this.color[3] = value & 0xfe; break;
      case 0x08: this.color[1] = value & 0xfe; break;
      case 0x09: this.color[0] = value & 0xfe; break;
      case 0x0a: // CTRLPF
        this.ctrlpf = value;
        this.pfPriorityAndScore = (value & 0x06) << 5;
        if (this.framePos(clock) % 228 < HBLANK + 79) this.pfReflect = value & 0x01;
        this.updateBLMask();
        break;
      case 0x0b:
        if (!!(value & 0x08) !== this.refp0) {
          this.refp0 = !!(value & 0x08);
          this.currentGRP0 = REFLECT_T[this.currentGRP0]!;
        }
        break;
      case 0x0c:
        if (!!(value & 0x08) !== this.refp1) {
          this.refp1 = !!(value & 0x08);
          this.currentGRP1 = REFLECT_T[this.currentGRP1]!;
        }
        break;
      case 0x0d:
        this.pf = (this.pf & 0x000ffff0) | ((value >> 4) & 0x0f);
        this.setBit(K_PF_BIT, this.pf !== 0);
        break;
      case 0x0e:
        this.pf = (this.pf & 0x000ff00f) | (value << 4);
        this.setBit(K_PF_BIT, this.pf !== 0);
        break;
      case 0x0f:
        this.pf = (this.pf & 0x00000fff) | (value << 12);
        this.setBit(K_PF_BIT, this.pf !== 0);
        break;
      case 0x10: this.resetPlayer(0, clock); break;
      case 0x11: this.resetPlayer(1, clock); break;
      case 0x12: { // RESM0
        const hpos = this.framePos(clock) % 228;
        this.posM0 = hpos < HBLANK ? 2 : (hpos - HBLANK + 4) % 160;
        if (clock - this.lastHmoveClock === 20 * 3 && hpos === 69) this.posM0 = 8;
        this.updateM0Mask();
        break;
      }
      case 0x13: { // RESM1
        const hpos = this.framePos(clock) % 228;
        this.posM1 = hpos < HBLANK ? 2 : (hpos - HBLANK + 4) % 160;
        if (clock - this.lastHmoveClock === 3 * 3 && hpos === 18) this.posM1 = 3;
        this.updateM1Mask();
        break;
      }
      case 0x14: { // RESBL
        const hpos = this.framePos(clock) % 228;
        this.posBL = hpos < HBLANK ? 2 : (hpos - HBLANK + 4) % 160;
        const since = clock - this.lastHmoveClock;
        if (since === 18 * 3 && (hpos === 60 || hpos === 69)) this.posBL = 10;
        else if (since === 3 * 3 && hpos === 18) this.posBL = 3;
        else if (since === 7 * 3 && hpos === 30) this.posBL = 6;
        else if (since === 6 * 3 && hpos === 27) this.posBL = 5;
        this.updateBLMask();
        break;
      }
      case 0x1b: // GRP0
        this.grp0 = value;
        this.dgrp1 = this.grp1;
        this.refreshGrp();
        break;
      case 0x1c: // GRP1
        this.grp1 = value;
        this.dgrp0 = this.grp0;
        this.denabl = this.enabl;
        this.refreshGrp();
        this.setBit(K_BL_BIT, this.vdelbl ? this.denabl : this.enabl);
        break;
      case 0x1d:
        this.enam0 = !!(value & 0x02);
        this.setBit(K_M0_BIT, this.enam0 && !this.resmp0);
        break;
      case 0x1e:
        this.enam1 = !!(value & 0x02);
        this.setBit(K_M1_BIT, this.enam1 && !this.resmp1);
        break;
      case 0x1f:
        this.enabl = !!(value & 0x02);
        this.setBit(K_BL_BIT, this.vdelbl ? this.denabl : this.enabl);
        break;
      case 0x20: this.hmp0 = value >> 4; break;
      case 0x21: this.hmp1 = value >> 4; break;
      case 0x22: {
        const tmp = value >> 4;
        if (clock === this.lastHmoveClock + 21 * 3 && this.hmm0 === 7 && tmp === 6) {
          this.m0CosmicArk = true;
          this.m0CosmicArkCounter = 0;
        }
        this.hmm0 = tmp;
        break;
      }
      case 0x23: this.hmm1 = value >> 4; break;
      case 0x24: this.hmbl = value >> 4; break;
      case 0x25:
        this.vdelp0 = !!(value & 0x01);
        this.refreshGrp();
        break;
      case 0x26:
        this.vdelp1 = !!(value & 0x01);
        this.refreshGrp();
        break;
      case 0x27:
        this.vdelbl = !!(value & 0x01);
        this.setBit(K_BL_BIT, this.vdelbl ? this.denabl : this.enabl);
        break;
      case 0x28: // RESMP0
        if (this.resmp0 && !(value & 0x02)) {
          const mode = this.nusiz0 & 7;
          const middle = mode === 5 ? 8 : mode === 7 ? 16 : 4;
          this.posM0 = (this.posP0 + middle) % 160;
          this.updateM0Mask();
        }
        this.resmp0 = !!(value & 0x02);
        this.setBit(K_M0_BIT, this.enam0 && !this.resmp0);
        break;
      case 0x29: // RESMP1
        if (this.resmp1 && !(value & 0x02)) {
          const mode = this.nusiz1 & 7;
          const middle = mode === 5 ? 8 : mode === 7 ? 16 : 4;
          this.posM1 = (this.posP1 + middle) % 160;
          this.updateM1Mask();
        }
        this.resmp1 = !!(value & 0x02);
        this.setBit(K_M1_BIT, this.enam1 && !this.resmp1);
        break;
      case 0x2a: this.hmove(clock); break;
      case 0x2b:
        this.hmp0 = this.hmp1 = this.hmm0 = this.hmm1 = this.hmbl = 0;
        break;
      case 0x2c:
        this.collision = 0;
        break;
      default:
        break; // audio registers and unused addresses
    }
  }

  /** Stella's "value >> 4" of a uint8 stored into int8: HMxx nibbles are 0-15 (index into the motion table). */
  private hmove(clock: number): void {
    const x = ((this.framePos(clock) % 228) / 3) | 0;
    if (this.config.hmoveBlanks && BLANK_CYCLES_T[x]) this.hmoveBlankEnabled = true;
    const row = x * 16;
    this.posP0 = wrap160(this.posP0 + MOTION_T[row + this.hmp0]!);
    this.posP1 = wrap160(this.posP1 + MOTION_T[row + this.hmp1]!);
    this.posM0 = wrap160(this.posM0 + MOTION_T[row + this.hmm0]!);
    this.posM1 = wrap160(this.posM1 + MOTION_T[row + this.hmm1]!);
    this.posBL = wrap160(this.posBL + MOTION_T[row + this.hmbl]!);
    this.updateBLMask();
    this.updateP0Mask(0);
    this.updateP1Mask(0);
    this.updateM0Mask();
    this.updateM1Mask();
    this.lastHmoveClock = clock;
    this.m0CosmicArk = false;
  }

  private resetPlayer(which: 0 | 1, clock: number): void {
    const hpos = this.framePos(clock) % 228;
    const newx = hpos < HBLANK ? 3 : (hpos - HBLANK + 5) % 160;
    const nusiz = which === 0 ? this.nusiz0 : this.nusiz1;
    const oldx = which === 0 ? this.posP0 : this.posP1;
    const when = RESET_WHEN_T[resetWhenIndex(nusiz & 7, oldx, newx)]!;
    if (when === 1) this.updateFrame(clock + 11);
    if (which === 0) {
      this.posP0 = newx;
      this.updateP0Mask(when === -1 ? 0 : 1);
    } else {
      this.posP1 = newx;
      this.updateP1Mask(when === -1 ? 0 : 1);
    }
  }

  // ---------------------------------------------------------------- state

  saveState(w: ByteWriter): void {
    const ints = [
      this.clockWhenFrameStarted, this.clockStartDisplay, this.clockStopDisplay, this.clockAtLastUpdate,
      this.clocksToEndOfScanLine, this.vsyncFinishClock, this.lastHmoveClock, this.framePointer,
      this.scanlineCountForLastFrame, this.currentScanline, this.frameCounter, this.startDisplayOffset,
      this.stopDisplayOffset, this.maxScanlines, this.enabledObjects, this.vsync, this.vblank, this.nusiz0,
      this.nusiz1, this.ctrlpf, this.pfPriorityAndScore, this.pf, this.grp0, this.grp1, this.dgrp0, this.dgrp1,
      this.hmp0, this.hmp1, this.hmm0, this.hmm1, this.hmbl, this.collision, this.posP0, this.posP1, this.posM0,
      this.posM1, this.posBL, this.currentGRP0, this.currentGRP1, this.blMask, this.m0Mask, this.m1Mask,
      this.p0Mask, this.p1Mask, this.pfReflect, this.m0CosmicArkCounter, this.dumpDisabledCycle,
    ];
    w.i32(ints.length);
    for (const v of ints) w.i32(v);
    const bools = [
      this.partialFrame, this.frameGreyed, this.refp0, this.refp1, this.enam0, this.enam1, this.enabl, this.denabl,
      this.vdelp0, this.vdelp1, this.vdelbl, this.resmp0, this.resmp1, this.hmoveBlankEnabled, this.m0CosmicArk,
      this.dumpEnabled,
    ];
    for (const b of bools) w.bool(b);
    w.bytes(this.color);
    w.bytes(this.current);
    w.bytes(this.previous);
  }

  loadState(r: ByteReader): void {
    const n = r.i32();
    const v: number[] = [];
    for (let i = 0; i < n; i++) v.push(r.i32());
    let k = 0;
    const next = (): number => v[k++]!;
    this.clockWhenFrameStarted = next(); this.clockStartDisplay = next(); this.clockStopDisplay = next();
    this.clockAtLastUpdate = next(); this.clocksToEndOfScanLine = next(); this.vsyncFinishClock = next();
    this.lastHmoveClock = next(); this.framePointer = next(); this.scanlineCountForLastFrame = next();
    this.currentScanline = next(); this.frameCounter = next(); this.startDisplayOffset = next();
    this.stopDisplayOffset = next(); this.maxScanlines = next(); this.enabledObjects = next(); this.vsync = next();
    this.vblank = next(); this.nusiz0 = next(); this.nusiz1 = next(); this.ctrlpf = next();
    this.pfPriorityAndScore = next(); this.pf = next(); this.grp0 = next(); this.grp1 = next(); this.dgrp0 = next();
    this.dgrp1 = next(); this.hmp0 = next(); this.hmp1 = next(); this.hmm0 = next(); this.hmm1 = next();
    this.hmbl = next(); this.collision = next(); this.posP0 = next(); this.posP1 = next(); this.posM0 = next();
    this.posM1 = next(); this.posBL = next(); this.currentGRP0 = next(); this.currentGRP1 = next();
    this.blMask = next(); this.m0Mask = next(); this.m1Mask = next(); this.p0Mask = next(); this.p1Mask = next();
    this.pfReflect = next(); this.m0CosmicArkCounter = next(); this.dumpDisabledCycle = next();
    this.partialFrame = r.bool(); this.frameGreyed = r.bool(); this.refp0 = r.bool(); this.refp1 = r.bool();
    this.enam0 = r.bool(); this.enam1 = r.bool(); this.enabl = r.bool(); this.denabl = r.bool();
    this.vdelp0 = r.bool(); this.vdelp1 = r.bool(); this.vdelbl = r.bool(); this.resmp0 = r.bool();
    this.resmp1 = r.bool(); this.hmoveBlankEnabled = r.bool(); this.m0CosmicArk = r.bool(); this.dumpEnabled = r.bool();
    r.into(this.color);
    r.into(this.current);
    r.into(this.previous);
  }
}

function wrap160(v: number): number {
  if (v >= 160) return v - 160;
  if (v < 0) return v + 160;
  return v;
}
