/**
 * RIOT 6532: 128 bytes of RAM, the interval timer and the two I/O ports, following the Stella 2.x M6532 used by ALE
 * (src/ale/emucore/M6532.cxx). The timer is evaluated lazily from the system cycle counter:
 * - writing TIM1T/TIM8T/TIM64T/T1024T ($294-$297) loads the value and the interval (shift 0/3/6/10);
 * - INTIM counts value-1, value-2, ... once per interval; after it passes zero it counts down once per cycle
 *   (wrapping through $FF) and TIMINT bit 7 is set until INTIM is read after the underflow;
 * - reading INTIM after the underflow "restarts" the once-per-interval count from the read (Stella's model).
 * SWCHA reads the controllers (the DDR is not applied on reads, as in this Stella version), SWCHB the console
 * switches; writes to SWCHA go to the controllers through DDRA.
 */
import type { ByteReader, ByteWriter } from './util/bytes.js';
import type { Mt19937 } from '@vinegym/rng';

/** TIM1T, TIM8T, TIM64T, T1024T: log2 of the interval. */
const INTERVAL_SHIFTS = [0, 3, 6, 10];

export interface RiotSystem {
  cycles: number;
}

export interface RiotPorts {
  /** SWCHA value as read (bit set = pin high). */
  readSwcha(): number;
  /** SWCHB (console switches) as read. */
  readSwchb(): number;
  /** Value written to SWCHA masked by DDRA. */
  writeSwcha(value: number): void;
}

export class Riot {
  readonly ram = new Uint8Array(128);
  private timer = 0;
  private intervalShift = 6;
  /** uint32 cycle counts as in Stella (wrap when the frame start rebases them). */
  private cyclesWhenTimerSet = 0;
  private cyclesWhenInterruptReset = 0;
  private timerReadAfterInterrupt = false;
  private ddra = 0;
  private ddrb = 0;

  constructor(
    private readonly sys: RiotSystem,
    private readonly ports: RiotPorts,
  ) {}

  /** Power-on RAM: 128 draws from the system RNG (ALE's M6532 constructor). */
  randomizeRam(rng: Mt19937): void {
    for (let i = 0; i < 128; i++) this.ram[i] = rng.next() & 0xff;
  }

  /** Console reset: the timer starts at 25 + rng % 75 with interval 64. RAM is kept. */
  reset(rng: Mt19937): void {
    this.timer = 25 + (rng.next() % 75);
    this.intervalShift = 6;
    this.cyclesWhenTimerSet = 0;
    this.cyclesWhenInterruptReset = 0;
    this.timerReadAfterInterrupt = false;
    this.ddra = 0;
    this.ddrb = 0;
  }

  systemCyclesReset(cycles: number): void {
    this.cyclesWhenTimerSet = (this.cyclesWhenTimerSet - cycles) >>> 0;
    this.cyclesWhenInterruptReset = (this.cyclesWhenInterruptReset - cycles) >>> 0;
  }

  /** Read of the I/O area ($280-$29F mirrors). */
  peek(address: number): number {
    switch (address & 0x07) {
      case 0x00:
        return this.ports.readSwcha();
      case 0x01:
        return this.ddra;
      case 0x02:
        return this.ports.readSwchb();
      case 0x03:
        return this.ddrb;
      case 0x04:
      case 0x06:
        return this.readTimer();
      default: {
        // 0x05 / 0x07: interrupt flag
        const delta = (((this.sys.cycles - 1) >>> 0) - this.cyclesWhenTimerSet) >>> 0;
        const timer = this.timer - (delta >>> this.intervalShift) - 1;
        return timer >= 0 || this.timerReadAfterInterrupt ? 0x00 : 0x80;
      }
    }
  }

  /** INTIM. Cycle counts are uint32 as in Stella; `delta >>> shift` is Stella's delta / interval. */
  private readTimer(): number {
    const shift = this.intervalShift;
    const delta = (((this.sys.cycles - 1) >>> 0) - this.cyclesWhenTimerSet) >>> 0;
    let timer = this.timer - (delta >>> shift) - 1;
    if (timer >= 0) return timer & 0xff;
    timer = (this.timer << shift) - (delta | 0) - 1;
    if (timer <= -2 && !this.timerReadAfterInterrupt) {
      this.timerReadAfterInterrupt = true;
      this.cyclesWhenInterruptReset = this.sys.cycles >>> 0;
    }
    if (this.timerReadAfterInterrupt) {
      const offset = (this.cyclesWhenInterruptReset - (this.cyclesWhenTimerSet + (this.timer << shift))) | 0;
      timer = this.timer - (delta >>> shift) - offset;
    }
    return timer & 0xff;
  }

  /**
   * How many INTIM reads at cycles `cycle`, `cycle + period`, ... return a count of at least `min` (>= 0) before the
   * timer passes it (until it passes zero a read has no side effect: readTimer's first case).
   */
  countdownReads(cycle: number, period: number, min: number): number {
    const delta = (((cycle - 1) >>> 0) - this.cyclesWhenTimerSet) >>> 0;
    // timer - (delta >>> shift) - 1 >= min exactly while delta < (timer - min) << shift.
    const end = (this.timer - min) << this.intervalShift;
    return delta < end ? Math.ceil((end - delta) / period) : 0;
  }

  poke(address: number, value: number): void {
    const a7 = address & 0x07;
    if (a7 === 0x00) {
      this.ports.writeSwcha(value & this.ddra);
    } else if (a7 === 0x01) {
      this.ddra = value;
    } else if (a7 === 0x02 || a7 === 0x03) {
      // SWCHB is read-only; Stella 2.x also ignores DDRB writes.
    } else if ((address & 0x17) >= 0x14) {
      this.timer = value;
      this.intervalShift = INTERVAL_SHIFTS[address & 0x03]!;
      this.cyclesWhenTimerSet = this.sys.cycles >>> 0;
      this.timerReadAfterInterrupt = false;
    }
    // (address & 0x14) == 0x04: edge detect control, ignored.
  }

  saveState(w: ByteWriter): void {
    w.bytes(this.ram);
    w.f64(this.timer);
    w.i32(this.intervalShift);
    w.f64(this.cyclesWhenTimerSet);
    w.f64(this.cyclesWhenInterruptReset);
    w.bool(this.timerReadAfterInterrupt);
    w.u8(this.ddra);
    w.u8(this.ddrb);
  }

  loadState(r: ByteReader): void {
    r.into(this.ram);
    this.timer = r.f64();
    this.intervalShift = r.i32();
    this.cyclesWhenTimerSet = r.f64();
    this.cyclesWhenInterruptReset = r.f64();
    this.timerReadAfterInterrupt = r.bool();
    this.ddra = r.u8();
    this.ddrb = r.u8();
  }
}
