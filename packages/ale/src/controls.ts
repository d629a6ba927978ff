/**
 * Console inputs: the event state (what ALE sets each frame) and how the controllers plugged into the two jacks
 * turn it into SWCHA bits, INPT0-5 and SWCHB, as Stella 2.x's Joystick, Paddles and Switches classes do.
 */
import type { TiaInputs } from './tia/tia.js';
import type { RiotPorts } from './riot.js';
import type { ByteReader, ByteWriter } from './util/bytes.js';

export type ControllerType = 'joystick' | 'paddles';

export const MAXIMUM_RESISTANCE = 0x7fffffff;

export interface JoystickState {
  up: boolean;
  down: boolean;
  left: boolean;
  right: boolean;
  fire: boolean;
}

const emptyJoystick = (): JoystickState => ({ up: false, down: false, left: false, right: false, fire: false });

/** The input events (Stella's Event object): joysticks 0/1, paddles 0-3, console switches. */
export class InputEvents {
  joystick: [JoystickState, JoystickState] = [emptyJoystick(), emptyJoystick()];
  /** Paddle resistances (events PaddleZero..ThreeResistance); 0 until set. */
  paddleResistance = [0, 0, 0, 0];
  paddleFire = [false, false, false, false];
  reset = false;
  select = false;
  /** Difficulty switch events: null = no event (keep the switch), 'A' or 'B' = set. */
  leftDifficulty: 'A' | 'B' | null = null;
  rightDifficulty: 'A' | 'B' | null = null;

  /** Releases every button (ALE's resetKeys, without the difficulty part). */
  releaseAll(): void {
    // In place: ALE releases every key each frame, and new objects there were a measurable share of a step.
    for (const j of this.joystick) j.up = j.down = j.left = j.right = j.fire = false;
    this.paddleFire.fill(false);
    this.reset = false;
    this.select = false;
  }

  saveState(w: ByteWriter): void {
    for (const j of this.joystick) for (const b of [j.up, j.down, j.left, j.right, j.fire]) w.bool(b);
    for (const r of this.paddleResistance) w.i32(r);
    for (const f of this.paddleFire) w.bool(f);
    w.bool(this.reset);
    w.bool(this.select);
    w.u8(this.leftDifficulty === null ? 0 : this.leftDifficulty === 'A' ? 1 : 2);
    w.u8(this.rightDifficulty === null ? 0 : this.rightDifficulty === 'A' ? 1 : 2);
  }

  loadState(r: ByteReader): void {
    for (const j of this.joystick) {
      j.up = r.bool();
      j.down = r.bool();
      j.left = r.bool();
      j.right = r.bool();
      j.fire = r.bool();
    }
    for (let i = 0; i < 4; i++) this.paddleResistance[i] = r.i32();
    for (let i = 0; i < 4; i++) this.paddleFire[i] = r.bool();
    this.reset = r.bool();
    this.select = r.bool();
    const d = (v: number) => (v === 0 ? null : v === 1 ? 'A' : 'B');
    this.leftDifficulty = d(r.u8());
    this.rightDifficulty = d(r.u8());
  }
}

export interface ControllerConfig {
  left: ControllerType;
  right: ControllerType;
  /** Stella's Controller.SwapPaddles property. */
  swapPaddles: boolean;
  /** Initial difficulty switches (properties Console.LeftDifficulty / RightDifficulty). */
  leftDifficulty: 'A' | 'B';
  rightDifficulty: 'A' | 'B';
}

/** The two controller jacks and the console switches, read by the RIOT and the TIA. */
export class ControllerPorts implements TiaInputs, RiotPorts {
  private switches: number;

  constructor(
    readonly events: InputEvents,
    readonly config: ControllerConfig,
  ) {
    this.switches = 0xff;
    if (config.rightDifficulty === 'B') this.switches &= ~0x80;
    if (config.leftDifficulty === 'B') this.switches &= ~0x40;
  }

  /** Digital pins One-Four of a jack (bit order 1,2,4,8), 1 = high. */
  private jackPins(jack: 0 | 1): number {
    const e = this.events;
    if ((jack === 0 ? this.config.left : this.config.right) === 'joystick') {
      const j = e.joystick[jack];
      return (j.up ? 0 : 1) | (j.down ? 0 : 2) | (j.left ? 0 : 4) | (j.right ? 0 : 8);
    }
    // Paddles: pins One/Two float high; Three/Four are the fire buttons.
    const swap = this.config.swapPaddles;
    const base = jack === 0 ? 0 : 2;
    const pinThree = swap ? base : base + 1;
    const pinFour = swap ? base + 1 : base;
    return 1 | 2 | (e.paddleFire[pinThree] ? 0 : 4) | (e.paddleFire[pinFour] ? 0 : 8);
  }

  readSwcha(): number {
    return (this.jackPins(0) << 4) | this.jackPins(1);
  }

  writeSwcha(_value: number): void {
    // Joysticks and paddles ignore writes.
  }

  readSwchb(): number {
    const e = this.events;
    if (e.rightDifficulty === 'A') this.switches |= 0x80;
    else if (e.rightDifficulty === 'B') this.switches &= ~0x80;
    if (e.leftDifficulty === 'A') this.switches |= 0x40;
    else if (e.leftDifficulty === 'B') this.switches &= ~0x40;
    if (e.select) this.switches &= ~0x02;
    else this.switches |= 0x02;
    if (e.reset) this.switches &= ~0x01;
    else this.switches |= 0x01;
    return this.switches;
  }

  /** INPT0-3: pin Nine / Five of the left jack, then of the right jack. */
  resistance(pin: number): number {
    const jack = pin < 2 ? 0 : 1;
    if ((jack === 0 ? this.config.left : this.config.right) !== 'paddles') return MAXIMUM_RESISTANCE;
    const isNine = (pin & 1) === 0;
    const base = jack === 0 ? 0 : 2;
    const swap = this.config.swapPaddles;
    const paddle = isNine ? (swap ? base + 1 : base) : swap ? base : base + 1;
    return this.events.paddleResistance[paddle]!;
  }

  triggerHigh(port: number): boolean {
    if ((port === 0 ? this.config.left : this.config.right) !== 'joystick') return true;
    return !this.events.joystick[port as 0 | 1].fire;
  }

  get switchBits(): number {
    return this.switches;
  }

  set switchBits(v: number) {
    this.switches = v;
  }
}
