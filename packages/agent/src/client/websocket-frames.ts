/**
 * WebSocket framing (RFC 6455 section 5) for the client side: a reader that turns the server's bytes into
 * messages, and the writer of the client's masked frames.
 *
 * The reader decides where every socket read lands (Node's `onread` option): headers and small frames go to one
 * reused scratch buffer; once a data frame's header is parsed, the rest of its payload is read by the kernel straight
 * into the message's own buffer, which comes from an allocator (fresh memory, or a reused buffer). A large message
 * (an 806 KB batch of Atari frames) thus costs one allocation, or none, and no copy after the kernel's: the `ws`
 * package instead collects it in 64 KB chunks and concatenates them into a new buffer, and that garbage was about
 * half of a client's CPU in Atari steps.
 */
import { randomFillSync } from 'node:crypto';

/** Gives the buffer a message of `length` bytes is assembled in (its first `length` bytes are used). */
export type MessageAllocator = (length: number) => Uint8Array;

/** What the reader found; called synchronously from `onRead`. */
export interface FrameReaderEvents {
  /** A complete data message (bytes in a buffer from the allocator). */
  message(bytes: Uint8Array, isBinary: boolean): void;
  /** A ping: answer with a pong of the same payload (`payload` is only valid during the call). */
  ping(payload: Uint8Array): void;
  /** The server's close frame (1005 when it carried no code). Nothing is read after it. */
  close(code: number, reason: string): void;
  /** The server broke the framing rules or a limit: close the connection with `code` (1002, 1007 or 1009). */
  fail(code: number, reason: string): void;
}

/** Scratch bytes for headers, control frames and the start of payloads; also the largest HTTP response head. */
const SCRATCH_BYTES = 64 * 1024;

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class FrameReader {
  private readonly scratch = new Uint8Array(SCRATCH_BYTES);
  /** Bytes in `scratch` not parsed yet, from its start. */
  private scratchFill = 0;
  /** The data message being assembled (null between messages), its opcode and the bytes it has. */
  private message: Uint8Array | null = null;
  private messageOpcode = 0;
  private messageFill = 0;
  /** Whether the frame being read is the message's last one. */
  private finalFrame = false;
  /** Payload bytes of the current data frame still to be read straight into `message`. */
  private frameRemaining = 0;
  private stopped = false;
  /**
   * Until the opening handshake is done: called with the bytes so far, returns how many are the HTTP response head
   * (0: not complete yet); frames start after them.
   */
  private head: ((bytes: Uint8Array) => number) | null;

  constructor(
    private readonly maxPayload: number,
    private readonly allocate: MessageAllocator,
    private readonly events: FrameReaderEvents,
    head: (bytes: Uint8Array) => number,
  ) {
    this.head = head;
  }

  /** Where the next socket read should write (called before every read). */
  nextReadBuffer(): Uint8Array {
    if (this.frameRemaining > 0)
      return this.message!.subarray(this.messageFill, this.messageFill + this.frameRemaining);
    return this.scratch.subarray(this.scratchFill);
  }

  /** `bytes` bytes were read into the buffer `nextReadBuffer` gave last. */
  onRead(bytes: number): void {
    if (this.stopped) return;
    if (this.frameRemaining > 0) {
      this.messageFill += bytes;
      this.frameRemaining -= bytes;
      if (this.frameRemaining === 0) this.endDataFrame();
      return;
    }
    this.scratchFill += bytes;
    this.parseScratch();
  }

  /** Ignores everything read from now on. */
  stop(): void {
    this.stopped = true;
  }

  private parseScratch(): void {
    const s = this.scratch;
    const end = this.scratchFill;
    let at = 0;
    if (this.head !== null) {
      at = this.head(s.subarray(0, end));
      if (at === 0) {
        if (end === s.length) this.fail(1002, 'HTTP response head too large');
        return;
      }
      this.head = null;
    }
    while (!this.stopped && end - at >= 2) {
      const b0 = s[at]!;
      const b1 = s[at + 1]!;
      const opcode = b0 & 0x0f;
      if ((b0 & 0x70) !== 0) return void this.fail(1002, 'RSV bits set but no extension was negotiated');
      if ((b1 & 0x80) !== 0) return void this.fail(1002, 'the server sent a masked frame');
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (end - at < 4) break;
        length = (s[at + 2]! << 8) | s[at + 3]!;
        header = 4;
      } else if (length === 127) {
        if (end - at < 10) break;
        const high = ((s[at + 2]! << 24) | (s[at + 3]! << 16) | (s[at + 4]! << 8) | s[at + 5]!) >>> 0;
        const low = ((s[at + 6]! << 24) | (s[at + 7]! << 16) | (s[at + 8]! << 8) | s[at + 9]!) >>> 0;
        length = high * 2 ** 32 + low;
        header = 10;
      }
      const fin = (b0 & 0x80) !== 0;
      if ((opcode & 0x08) !== 0) {
        // Control frames are small and never fragmented: wait until one is complete in the scratch buffer.
        if (!fin || length > 125) return void this.fail(1002, 'fragmented or oversized control frame');
        if (end - at < header + length) break;
        this.control(opcode, s.subarray(at + header, at + header + length));
        at += header + length;
        continue;
      }
      if (!this.startDataFrame(opcode, length, fin)) return;
      const inScratch = Math.min(length, end - at - header);
      this.message!.set(s.subarray(at + header, at + header + inScratch), this.messageFill);
      this.messageFill += inScratch;
      at += header + inScratch;
      if (inScratch < length) {
        this.frameRemaining = length - inScratch; // the next reads go straight into the message
        break;
      }
      this.endDataFrame();
    }
    if (this.stopped) return;
    s.copyWithin(0, at, end);
    this.scratchFill = end - at;
  }

  /** Checks a data frame's header and makes room for its payload; false when it failed the connection. */
  private startDataFrame(opcode: number, length: number, fin: boolean): boolean {
    const continuing = this.messageOpcode !== 0;
    if (opcode === OPCODE.continuation) {
      if (!continuing) return this.fail(1002, 'continuation frame outside a fragmented message');
    } else if (opcode === OPCODE.text || opcode === OPCODE.binary) {
      if (continuing) return this.fail(1002, 'new message inside a fragmented one');
    } else return this.fail(1002, `reserved opcode ${opcode}`);
    const total = (continuing ? this.messageFill : 0) + length;
    if (total > this.maxPayload) return this.fail(1009, `message of more than ${this.maxPayload} bytes`);
    if (!continuing) {
      this.messageOpcode = opcode;
      this.message = this.allocate(length);
      this.messageFill = 0;
    } else if (this.message!.length < total) {
      // A fragmented message: its size is only known at its end, so it grows (rare: our server never fragments).
      const grown = this.allocate(Math.min(this.maxPayload, Math.max(total, 2 * this.messageFill)));
      grown.set(this.message!.subarray(0, this.messageFill));
      this.message = grown;
    }
    this.finalFrame = fin;
    return true;
  }

  private endDataFrame(): void {
    if (!this.finalFrame) return;
    const bytes = this.message!.subarray(0, this.messageFill);
    const isBinary = this.messageOpcode === OPCODE.binary;
    this.message = null;
    this.messageOpcode = 0;
    this.messageFill = 0;
    if (!isBinary) {
      try {
        utf8.decode(bytes);
      } catch {
        this.fail(1007, 'text message is not valid UTF-8');
        return;
      }
    }
    this.events.message(bytes, isBinary);
  }

  private control(opcode: number, payload: Uint8Array): void {
    if (opcode === OPCODE.ping) return this.events.ping(payload);
    if (opcode === OPCODE.pong) return;
    if (opcode !== OPCODE.close) return void this.fail(1002, `reserved opcode ${opcode}`);
    if (payload.length === 1) return void this.fail(1002, 'close frame with a one-byte payload');
    let reason = '';
    try {
      reason = utf8.decode(payload.subarray(2));
    } catch {
      return void this.fail(1007, 'close reason is not valid UTF-8');
    }
    this.stopped = true;
    this.events.close(payload.length === 0 ? 1005 : (payload[0]! << 8) | payload[1]!, reason);
  }

  private fail(code: number, reason: string): false {
    this.stopped = true;
    this.events.fail(code, reason);
    return false;
  }
}

/** Random bytes for masking keys, drawn in batches (RFC 6455 10.3: keys must not be predictable). */
const maskPool = new Uint8Array(8192);
let maskAt = maskPool.length;

/** One masked, final client frame of `opcode` carrying `payload`. */
export function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(length));
  }
  if (maskAt + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  const mask = maskPool.subarray(maskAt, maskAt + 4);
  maskAt += 4;
  frame.set(mask, header);
  const body = header + 4;
  for (let i = 0; i < length; i++) frame[body + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/** The payload of a close frame: the code, then the reason in UTF-8. */
export function closePayload(code: number, reason = ''): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return payload;
}
