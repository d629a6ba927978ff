/**
 * What an undrawn frame needs to be drawn later (tia.ts, "Unobserved frames"): the TIA's state without pixels at
 * the start of the frame and, in order, every access that can move the picture on: register writes and collision
 * reads (which draw up to the beam), each with its CPU cycle. Fed to a second TIA, they draw the frame's pixels as
 * the TIA would have drawn them at the time.
 */

import { ByteWriter } from '../util/bytes.js';

/** Event flags above the address (bits 0-5) and the written value (bits 8-15). */
export const EVENT_WRITE = 1 << 16;
export const EVENT_AFTER_READ = 1 << 17;

export class FrameLog {
  /** TIA state at the start of the frame (Tia.saveState without pixels), written by `begin`'s caller. */
  readonly state = new ByteWriter();
  /** Pairs [cycle, address | value << 8 | flags]. */
  events = new Int32Array(4096);
  length = 0;

  /** Starts a new frame: returns the (cleared) writer for its starting state. */
  begin(): ByteWriter {
    this.length = 0;
    this.state.clear();
    return this.state;
  }

  record(cycle: number, event: number): void {
    if (this.length + 2 > this.events.length) {
      const grown = new Int32Array(this.events.length * 2);
      grown.set(this.events);
      this.events = grown;
    }
    this.events[this.length] = cycle;
    this.events[this.length + 1] = event;
    this.length += 2;
  }
}
