/**
 * The undrawn frames of one TIA (tia.ts, "Unobserved frames"): which of its two frame buffers holds a frame whose
 * pixels were not drawn (that frame's log), the log of the frame being emulated without pixels, and the exact
 * replay of such a log on a second TIA when something needs the pixels after all.
 */
import type { TiaConfig, TiaSystem } from './tia.js';
import { EVENT_AFTER_READ, EVENT_WRITE, FrameLog } from './frame-log.js';
import { ByteReader, type ByteWriter } from '../util/bytes.js';

/**
 * Frames drawn eagerly after an unobserved frame had to be drawn after all for the second time within as many
 * frames (games that do it keep doing it). A single one is no pattern: Q*bert's first frame after every reset runs
 * past the instruction limit, and then plays on with whole frames.
 */
const EAGER_FRAMES_AFTER_CATCH_UP = 600;
/** `framesSinceCatchUp` when there was none since the reset. */
const NO_CATCH_UP = 0x7fffffff;

/** The second TIA, as a replay drives it. */
export interface ReplayTia {
  /** Loads a logged frame's starting state; draws into `buf` (null: a buffer of its own). */
  beginReplay(config: TiaConfig, state: ByteReader, buf: Uint8Array | null, buf32: Uint32Array | null): void;
  poke(address: number, value: number): void;
  peek(address: number): number;
  /** Draws what the last accesses left to draw. */
  endReplay(): void;
  /** The buffer the replay drew into. */
  readonly replayPixels: Uint8Array;
  /** End of the pixels the replayed frame wrote (buffer offset). */
  readonly replayWrittenEnd: number;
}

/** The machine as a replay shows it to the second TIA: the cycle and bus flag of the access being replayed. */
class ReplaySystem implements TiaSystem {
  cycles = 0;
  readonly dataBus = 0;
  lastAccessWasRead = false;
  stopCpu(): void {}
}

/** The pixels of the frame a TIA has just finished (its `current` buffer), as `settle` reads and writes them. */
export interface FinishedFrame {
  pixels: Uint8Array;
  pixels32: Uint32Array;
  /** The frame reached the end of the window without being interrupted. */
  covered: boolean;
  /** End of the pixels it wrote (buffer offset), and how far its beam got. */
  writtenEnd: number;
  framePointer: number;
  /** Bytes of the exported window (160 x height). */
  windowSize: number;
}

export class UndrawnFrames {
  /** The log of the frame being emulated when it is not drawn, else null (the TIA records its accesses into it). */
  recording: FrameLog | null = null;
  /** The undrawn frame each buffer holds, or null when its pixels are drawn. */
  private currentPending: FrameLog | null = null;
  private previousPending: FrameLog | null = null;
  private readonly spareLogs: FrameLog[] = [];
  /** Frames still to draw eagerly whatever the caller observes. */
  private eagerFrames = 0;
  /** Frames started since an unobserved frame was last drawn after all. */
  private framesSinceCatchUp = NO_CATCH_UP;
  private replayer: ReplayTia | null = null;
  private readonly replaySystem = new ReplaySystem();

  constructor(
    private readonly makeReplayer: (sys: TiaSystem) => ReplayTia,
    private config: TiaConfig,
  ) {}

  setConfig(config: TiaConfig): void {
    this.config = config;
  }

  /** Forgets every undrawn frame (reset, loaded state); `eager` also ends the eager stretch. */
  drop(eager: boolean): void {
    this.release(this.currentPending);
    this.release(this.previousPending);
    this.release(this.recording);
    this.currentPending = this.previousPending = this.recording = null;
    if (eager) {
      this.eagerFrames = 0;
      this.framesSinceCatchUp = NO_CATCH_UP;
    }
  }

  /**
   * A frame starts (after the TIA swapped its buffers): the pending frames follow their buffers; an unobserved
   * frame outside an eager stretch gets a log, whose starting state `saveStart` writes.
   */
  startFrame(observed: boolean, saveStart: (w: ByteWriter) => void): void {
    const pending = this.currentPending;
    this.currentPending = this.previousPending;
    this.previousPending = pending;
    if (this.framesSinceCatchUp < NO_CATCH_UP) this.framesSinceCatchUp++;
    if (this.eagerFrames > 0) this.eagerFrames--;
    else if (!observed) {
      const log = this.spareLogs.pop() ?? new FrameLog();
      saveStart(log.begin());
      this.recording = log;
    }
  }

  /** An unobserved frame was drawn after all: the second time within EAGER_FRAMES_AFTER_CATCH_UP frames, go eager. */
  private caughtUp(): void {
    if (this.framesSinceCatchUp < EAGER_FRAMES_AFTER_CATCH_UP) this.eagerFrames = EAGER_FRAMES_AFTER_CATCH_UP;
    this.framesSinceCatchUp = 0;
  }

  /**
   * End of an update: decide what the current buffer holds. An undrawn frame that covered the window becomes the
   * buffer's pending frame; one that did not (or was interrupted) is drawn now, over the pending frame it leaves
   * showing. A drawn frame that did not cover the window gets the pending frame's pixels after its own. Returns
   * the end of the pixels the frame now has written.
   */
  settle(frame: FinishedFrame): number {
    const log = this.recording;
    if (log !== null) {
      this.recording = null;
      if (frame.covered) {
        this.release(this.currentPending);
        this.currentPending = log;
        return frame.writtenEnd;
      }
      this.drawCurrent(frame.pixels, frame.pixels32);
      const r = this.replay(log, frame.pixels, frame.pixels32);
      this.release(log);
      this.caughtUp();
      return r.replayWrittenEnd;
    }
    const pending = this.currentPending;
    if (pending === null) return frame.writtenEnd;
    this.currentPending = null;
    if (!frame.covered) {
      const r = this.replay(pending, null, null);
      const end = Math.max(frame.writtenEnd, frame.framePointer);
      frame.pixels.set(r.replayPixels.subarray(end, frame.windowSize), end);
      this.caughtUp();
    }
    this.release(pending);
    return frame.writtenEnd;
  }

  /** Draws the current buffer's pending frame, if any, into it. */
  drawCurrent(pixels: Uint8Array, pixels32: Uint32Array): void {
    const pending = this.currentPending;
    this.currentPending = null;
    this.drawAndRelease(pending, pixels, pixels32);
  }

  /** Draws the previous buffer's pending frame, if any, into it. */
  drawPrevious(pixels: Uint8Array, pixels32: Uint32Array): void {
    const pending = this.previousPending;
    this.previousPending = null;
    this.drawAndRelease(pending, pixels, pixels32);
  }

  private drawAndRelease(log: FrameLog | null, pixels: Uint8Array, pixels32: Uint32Array): void {
    if (log === null) return;
    this.replay(log, pixels, pixels32);
    this.release(log);
  }

  /**
   * Draws a logged frame into `buf` (null: the replaying TIA's own buffer) by replaying its accesses, each at its
   * cycle, on the second TIA from the frame's starting state; returns that TIA.
   */
  private replay(log: FrameLog, buf: Uint8Array | null, buf32: Uint32Array | null): ReplayTia {
    const sys = this.replaySystem;
    let r = this.replayer;
    if (r === null) r = this.replayer = this.makeReplayer(sys);
    r.beginReplay(this.config, new ByteReader(log.state.written()), buf, buf32);
    const events = log.events;
    for (let i = 0; i < log.length; i += 2) {
      const event = events[i + 1]!;
      sys.cycles = events[i]!;
      if (event & EVENT_WRITE) {
        sys.lastAccessWasRead = (event & EVENT_AFTER_READ) !== 0;
        r.poke(event & 0x3f, (event >> 8) & 0xff);
      } else {
        r.peek(event & 0x3f);
      }
    }
    r.endReplay();
    return r;
  }

  private release(log: FrameLog | null): void {
    if (log !== null) this.spareLogs.push(log);
  }
}
