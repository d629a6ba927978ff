/**
 * The TIA's graphics registers (playfield, players, missiles, ball, colours, collisions) and what writing them
 * does to the objects' positions and masks, in the model of the Stella 2.x TIA inside ALE (see tia.ts). Time and
 * frame bookkeeping live in tia.ts; pixels are produced by span-renderer.ts from the fields below, which are
 * therefore public (read-only outside this module by convention).
 */
import {
  HMOVE_MOTION,
  MISSILE_DISABLED_INDEX,
  REFLECT,
  ballMaskIndex,
  missileMaskIndex,
  playerMaskIndex,
} from './tables.js';

export const PF_BIT = 0x01;
export const BL_BIT = 0x02;
export const P1_BIT = 0x04;
export const M1_BIT = 0x08;
export const P0_BIT = 0x10;
export const M0_BIT = 0x20;

const HBLANK = 68;
const COSMIC_ARK_MOTION = [18, 33, 0, 17];

/** What the graphics registers need from the TIA: the picture drawn up to the current write (see write()). */
export interface PictureRenderer {
  /** Renders up to the beam position of the write being applied, before it changes what drawing reads. */
  renderBeforeChange(): void;
}

export class TiaGraphics {
  /** Objects that can show on the line (PF/BL/P1/M1/P0/M0 bits). */
  enabledObjects = 0;
  vblank = 0;
  /** Colours [BK, PF, P0, P1]: the written value with bit 0 replaced by the PAL colour-loss bit. */
  readonly color = new Uint8Array(4);
  /** PAL colour loss (Stella): bit 0 of colours written after a frame with an odd number of scanlines. */
  colorLoss = 0;
  ctrlpf = 0;
  /** CTRLPF score and priority bits moved to bits 6 and 7 (the priority encoder's index). */
  pfPriorityAndScore = 0;
  /** 20-bit playfield: PF0 bits 0-3, PF1 bits 4-11, PF2 bits 12-19. */
  pf = 0;
  /** Playfield reflection latched for the current line (0/1). */
  pfReflect = 0;
  collision = 0;
  /** GRPx as shown (VDELPx and REFPx applied). */
  currentGRP0 = 0;
  currentGRP1 = 0;
  /** Offsets into the mask tables for the current positions and sizes. */
  p0Mask = 0;
  p1Mask = 0;
  m0Mask = 0;
  m1Mask = 0;
  blMask = 0;

  nusiz0 = 0;
  nusiz1 = 0;
  refp0 = false;
  refp1 = false;
  grp0 = 0;
  grp1 = 0;
  dgrp0 = 0;
  dgrp1 = 0;
  enam0 = false;
  enam1 = false;
  enabl = false;
  denabl = false;
  hmp0 = 0;
  hmp1 = 0;
  hmm0 = 0;
  hmm1 = 0;
  hmbl = 0;
  vdelp0 = false;
  vdelp1 = false;
  vdelbl = false;
  resmp0 = false;
  resmp1 = false;
  posP0 = 0;
  posP1 = 0;
  posM0 = 0;
  posM1 = 0;
  posBL = 0;
  lastHmoveClock = 0;
  m0CosmicArk = false;
  m0CosmicArkCounter = 0;

  constructor(private readonly picture: PictureRenderer) {}

  reset(): void {
    this.enabledObjects = 0;
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
    this.m0CosmicArk = false;
    this.m0CosmicArkCounter = 0;
  }

  // ---------------------------------------------------------------- masks

  updateP0Mask(enable: number): void {
    this.p0Mask = playerMaskIndex(this.posP0 & 3, enable, this.nusiz0 & 7) + 160 - (this.posP0 & 0xfc);
  }

  updateP1Mask(enable: number): void {
    this.p1Mask = playerMaskIndex(this.posP1 & 3, enable, this.nusiz1 & 7) + 160 - (this.posP1 & 0xfc);
  }

  updateM0Mask(): void {
    this.m0Mask =
      missileMaskIndex(this.posM0 & 3, this.nusiz0 & 7, (this.nusiz0 & 0x30) >> 4) + 160 - (this.posM0 & 0xfc);
  }

  updateM1Mask(): void {
    this.m1Mask =
      missileMaskIndex(this.posM1 & 3, this.nusiz1 & 7, (this.nusiz1 & 0x30) >> 4) + 160 - (this.posM1 & 0xfc);
  }

  updateBLMask(): void {
    this.blMask = ballMaskIndex(this.posBL & 3, (this.ctrlpf & 0x30) >> 4) + 160 - (this.posBL & 0xfc);
  }

  private setBit(bit: number, on: boolean): void {
    if (on) this.enabledObjects |= bit;
    else this.enabledObjects &= ~bit;
  }

  private refreshGrp(): void {
    const g0 = this.vdelp0 ? this.dgrp0 : this.grp0;
    this.currentGRP0 = this.refp0 ? REFLECT[g0]! : g0;
    const g1 = this.vdelp1 ? this.dgrp1 : this.grp1;
    this.currentGRP1 = this.refp1 ? REFLECT[g1]! : g1;
    this.setBit(P0_BIT, this.currentGRP0 !== 0);
    this.setBit(P1_BIT, this.currentGRP1 !== 0);
  }

  private refreshBall(): void {
    this.setBit(BL_BIT, this.vdelbl ? this.denabl : this.enabl);
  }

  /** Start of a new scanline: latch the playfield reflection, drop the players' start delay, Cosmic Ark's M0. */
  endOfScanline(): void {
    this.pfReflect = this.ctrlpf & 0x01;
    this.p0Mask = playerMaskIndex(this.posP0 & 3, 0, this.nusiz0 & 7) + 160 - (this.posP0 & 0xfc);
    this.p1Mask = playerMaskIndex(this.posP1 & 3, 0, this.nusiz1 & 7) + 160 - (this.posP1 & 0xfc);
    if (!this.m0CosmicArk) return;
    this.m0CosmicArkCounter = (this.m0CosmicArkCounter + 1) & 3;
    this.posM0 -= COSMIC_ARK_MOTION[this.m0CosmicArkCounter]!;
    if (this.posM0 >= 160) this.posM0 -= 160;
    else if (this.posM0 < 0) this.posM0 += 160;
    if (this.m0CosmicArkCounter === 1) {
      this.m0Mask =
        missileMaskIndex(this.posM0 & 3, this.nusiz0 & 7, ((this.nusiz0 & 0x30) >> 4) | 1) + 160 - (this.posM0 & 0xfc);
    } else if (this.m0CosmicArkCounter === 2) {
      this.m0Mask = MISSILE_DISABLED_INDEX;
    } else {
      this.updateM0Mask();
    }
  }

  // ---------------------------------------------------------------- register writes

  /**
   * Writes of the graphics registers that do not depend on the beam position ($04-$0F except $0A, $1B-$29 except
   * $22, $2B, $2C). Drawing is lazy (tia.ts): a write that may change how the following pixels look first has the
   * picture rendered up to the beam. One that leaves every field drawing reads unchanged does not (the same GRPx
   * byte on every line, the motion and audio registers): the pixels come out the same when the next write that
   * changes something renders them in one longer run.
   */
  write(addr: number, value: number): void {
    switch (addr) {
      // NUSIZx always: even the same value recomputes the masks, which drops a player's start delay (RESPx).
      case 0x04:
        this.picture.renderBeforeChange();
        this.nusiz0 = value;
        this.updateP0Mask(0);
        this.updateM0Mask();
        break;
      case 0x05:
        this.picture.renderBeforeChange();
        this.nusiz1 = value;
        this.updateP1Mask(0);
        this.updateM1Mask();
        break;
      case 0x06:
        this.writeColor(2, value);
        break;
      case 0x07:
        this.writeColor(3, value);
        break;
      case 0x08:
        this.writeColor(1, value);
        break;
      case 0x09:
        this.writeColor(0, value);
        break;
      case 0x0b:
        if (!!(value & 0x08) !== this.refp0) {
          this.picture.renderBeforeChange();
          this.refp0 = !!(value & 0x08);
          this.currentGRP0 = REFLECT[this.currentGRP0]!;
        }
        break;
      case 0x0c:
        if (!!(value & 0x08) !== this.refp1) {
          this.picture.renderBeforeChange();
          this.refp1 = !!(value & 0x08);
          this.currentGRP1 = REFLECT[this.currentGRP1]!;
        }
        break;
      case 0x0d:
        this.writePlayfield((this.pf & 0x000ffff0) | ((value >> 4) & 0x0f));
        break;
      case 0x0e:
        this.writePlayfield((this.pf & 0x000ff00f) | (value << 4));
        break;
      case 0x0f:
        this.writePlayfield((this.pf & 0x00000fff) | (value << 12));
        break;
      // GRP0 also copies GRP1 into its delayed register, GRP1 copies GRP0 and ENABL.
      case 0x1b: // GRP0
        if (this.grp0 === value && this.dgrp1 === this.grp1) break;
        this.picture.renderBeforeChange();
        this.grp0 = value;
        this.dgrp1 = this.grp1;
        this.refreshGrp();
        break;
      case 0x1c: // GRP1
        if (this.grp1 === value && this.dgrp0 === this.grp0 && this.denabl === this.enabl) break;
        this.picture.renderBeforeChange();
        this.grp1 = value;
        this.dgrp0 = this.grp0;
        this.denabl = this.enabl;
        this.refreshGrp();
        this.refreshBall();
        break;
      case 0x1d:
        if (this.enam0 === ((value & 0x02) !== 0)) break;
        this.picture.renderBeforeChange();
        this.enam0 = !this.enam0;
        this.setBit(M0_BIT, this.enam0 && !this.resmp0);
        break;
      case 0x1e:
        if (this.enam1 === ((value & 0x02) !== 0)) break;
        this.picture.renderBeforeChange();
        this.enam1 = !this.enam1;
        this.setBit(M1_BIT, this.enam1 && !this.resmp1);
        break;
      case 0x1f:
        if (this.enabl === ((value & 0x02) !== 0)) break;
        this.picture.renderBeforeChange();
        this.enabl = !this.enabl;
        this.refreshBall();
        break;
      case 0x20:
        this.hmp0 = value >> 4;
        break;
      case 0x21:
        this.hmp1 = value >> 4;
        break;
      case 0x23:
        this.hmm1 = value >> 4;
        break;
      case 0x24:
        this.hmbl = value >> 4;
        break;
      case 0x25:
        if (this.vdelp0 === ((value & 0x01) !== 0)) break;
        this.picture.renderBeforeChange();
        this.vdelp0 = !this.vdelp0;
        this.refreshGrp();
        break;
      case 0x26:
        if (this.vdelp1 === ((value & 0x01) !== 0)) break;
        this.picture.renderBeforeChange();
        this.vdelp1 = !this.vdelp1;
        this.refreshGrp();
        break;
      case 0x27:
        if (this.vdelbl === ((value & 0x01) !== 0)) break;
        this.picture.renderBeforeChange();
        this.vdelbl = !this.vdelbl;
        this.refreshBall();
        break;
      case 0x28: // RESMP0
        this.picture.renderBeforeChange();
        if (this.resmp0 && !(value & 0x02)) {
          this.posM0 = (this.posP0 + playerMiddle(this.nusiz0)) % 160;
          this.updateM0Mask();
        }
        this.resmp0 = !!(value & 0x02);
        this.setBit(M0_BIT, this.enam0 && !this.resmp0);
        break;
      case 0x29: // RESMP1
        this.picture.renderBeforeChange();
        if (this.resmp1 && !(value & 0x02)) {
          this.posM1 = (this.posP1 + playerMiddle(this.nusiz1)) % 160;
          this.updateM1Mask();
        }
        this.resmp1 = !!(value & 0x02);
        this.setBit(M1_BIT, this.enam1 && !this.resmp1);
        break;
      case 0x2b: // HMCLR
        this.hmp0 = this.hmp1 = this.hmm0 = this.hmm1 = this.hmbl = 0;
        break;
      case 0x2c: // CXCLR
        this.picture.renderBeforeChange();
        this.collision = 0;
        break;
      default:
        break; // audio registers and unused addresses
    }
  }

  /** COLUxx: shown unless the beam is blanked (only a VBLANK write, which renders first, ends that). */
  private writeColor(index: number, value: number): void {
    const c = (value & 0xfe) | this.colorLoss;
    if (c === this.color[index]) return;
    if ((this.vblank & 0x02) === 0) this.picture.renderBeforeChange();
    this.color[index] = c;
  }

  private writePlayfield(pf: number): void {
    if (pf === this.pf) return;
    this.picture.renderBeforeChange();
    this.pf = pf;
    this.setBit(PF_BIT, pf !== 0);
  }

  /** CTRLPF at colour clock `hpos` of the line: the reflection takes effect on this line only before its middle. */
  writeCtrlpf(value: number, hpos: number): void {
    this.ctrlpf = value;
    this.pfPriorityAndScore = (value & 0x06) << 5;
    if (hpos < HBLANK + 79) this.pfReflect = value & 0x01;
    this.updateBLMask();
  }

  /**
   * HMM0, with Stella's "Cosmic Ark" starfield hack (HMM0 7 -> 6 exactly 21 cycles after HMOVE); only then does the
   * write matter for drawing.
   */
  writeHmm0(value: number, clock: number): void {
    const tmp = value >> 4;
    if (clock === this.lastHmoveClock + 21 * 3 && this.hmm0 === 7 && tmp === 6) {
      this.picture.renderBeforeChange();
      this.m0CosmicArk = true;
      this.m0CosmicArkCounter = 0;
    }
    this.hmm0 = tmp;
  }

  /** RESM0 / RESM1 / RESBL at colour clock `hpos` of the line, with Stella's special cases after an HMOVE. */
  resetMissile0(hpos: number, clock: number): void {
    this.posM0 = hpos < HBLANK ? 2 : (hpos - HBLANK + 4) % 160;
    if (clock - this.lastHmoveClock === 20 * 3 && hpos === 69) this.posM0 = 8;
    this.updateM0Mask();
  }

  resetMissile1(hpos: number, clock: number): void {
    this.posM1 = hpos < HBLANK ? 2 : (hpos - HBLANK + 4) % 160;
    if (clock - this.lastHmoveClock === 3 * 3 && hpos === 18) this.posM1 = 3;
    this.updateM1Mask();
  }

  resetBall(hpos: number, clock: number): void {
    this.posBL = hpos < HBLANK ? 2 : (hpos - HBLANK + 4) % 160;
    const since = clock - this.lastHmoveClock;
    if (since === 18 * 3 && (hpos === 60 || hpos === 69)) this.posBL = 10;
    else if (since === 3 * 3 && hpos === 18) this.posBL = 3;
    else if (since === 7 * 3 && hpos === 30) this.posBL = 6;
    else if (since === 6 * 3 && hpos === 27) this.posBL = 5;
    this.updateBLMask();
  }

  /** RESP0/RESP1: new position; `enable` 1 keeps the first copy hidden for the rest of the line. */
  setPlayerPosition(which: 0 | 1, x: number, enable: number): void {
    if (which === 0) {
      this.posP0 = x;
      this.updateP0Mask(enable);
    } else {
      this.posP1 = x;
      this.updateP1Mask(enable);
    }
  }

  /** HMOVE written at CPU cycle `cycle` (0-75) of the line: the late-HMOVE motion table of Stella 2.x. */
  hmove(cycle: number, clock: number): void {
    const row = cycle * 16;
    this.posP0 = wrap160(this.posP0 + HMOVE_MOTION[row + this.hmp0]!);
    this.posP1 = wrap160(this.posP1 + HMOVE_MOTION[row + this.hmp1]!);
    this.posM0 = wrap160(this.posM0 + HMOVE_MOTION[row + this.hmm0]!);
    this.posM1 = wrap160(this.posM1 + HMOVE_MOTION[row + this.hmm1]!);
    this.posBL = wrap160(this.posBL + HMOVE_MOTION[row + this.hmbl]!);
    this.updateBLMask();
    this.updateP0Mask(0);
    this.updateP1Mask(0);
    this.updateM0Mask();
    this.updateM1Mask();
    this.lastHmoveClock = clock;
    this.m0CosmicArk = false;
  }

  /** Stella's PAL colour loss at the start of a frame: the colour registers as they stand get bit 0 = `colorLoss`. */
  recolorForColorLoss(): void {
    const c = this.color;
    for (let i = 0; i < 4; i++) c[i] = (c[i]! & 0xfe) | this.colorLoss;
  }
}

/** Offset of a player's middle for RESMPx (NUSIZ modes 5 and 7 are double / quad width). */
function playerMiddle(nusiz: number): number {
  const mode = nusiz & 7;
  return mode === 5 ? 8 : mode === 7 ? 16 : 4;
}

function wrap160(v: number): number {
  if (v >= 160) return v - 160;
  if (v < 0) return v + 160;
  return v;
}
