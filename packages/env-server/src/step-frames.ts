/**
 * Step responses written from where their bytes are. A raw-Atari step response is 806 KB of observations (8 envs)
 * and about a kilobyte of everything else: the rest is encoded into a buffer reused once the response is written,
 * the observations are not copied at all, and both go out as one WebSocket message, a single binary frame whose
 * header is written here, in one write of several buffers to the socket under the WebSocket. The bytes on the wire
 * are those of `encodeFrame` in a frame like ws's own (server frames are not masked, RFC 6455 5.1).
 *
 * Until a response is written it references the observation batch it was encoded from, so a session must not
 * rewrite that batch while a response is pending (`busy`).
 */
import type { Duplex } from 'node:stream';
import { encodeFramePieces, isNDArray, type StepResult, type TypedArray } from '@vinegym/protocol';

/** An observation batch of this many bytes or more is written from where it is instead of copied into the frame. */
const REFERENCED_BYTES = 64 * 1024;
/** RFC 6455 5.2: FIN set, opcode 2 (binary). */
const FIN_BINARY = 0x82;

export type FrameTransport = Pick<Duplex, 'write' | 'cork' | 'uncork'>;

export class StepFrameWriter {
  /** The buffer responses are encoded into, while no write of it is pending (null while one is). */
  private free: Uint8Array | null = new Uint8Array(0);
  private pending = 0;

  constructor(private readonly transport: FrameTransport) {}

  /** A response is being written: the batches it was encoded from must stay as they are. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /**
   * Writes the step response `frame` as one binary WebSocket message; `written` is called once it is written (or
   * the write failed).
   */
  write(frame: { id: number; ok: true; body: StepResult }, written: () => void): void {
    const target = this.free ?? new Uint8Array(0);
    this.free = null;
    const { observations } = frame.body;
    const referenced: TypedArray[] =
      isNDArray(observations) && observations.data.byteLength >= REFERENCED_BYTES ? [observations.data] : [];
    const { pieces, byteLength, buffer } = encodeFramePieces(frame, target, referenced);
    this.pending++;
    const { transport } = this;
    transport.cork();
    transport.write(binaryFrameHeader(byteLength));
    for (let i = 0; i < pieces.length - 1; i++) transport.write(pieces[i]!);
    transport.write(pieces[pieces.length - 1]!, () => {
      this.pending--;
      this.free = buffer;
      written();
    });
    transport.uncork();
  }
}

/** The header of an unmasked binary frame with `length` payload bytes (RFC 6455 5.2). */
export function binaryFrameHeader(length: number): Uint8Array {
  if (length < 126) return Uint8Array.of(FIN_BINARY, length);
  if (length < 0x10000) return Uint8Array.of(FIN_BINARY, 126, length >>> 8, length & 0xff);
  const header = new Uint8Array(10);
  const view = new DataView(header.buffer);
  header[0] = FIN_BINARY;
  header[1] = 127;
  view.setUint32(2, Math.floor(length / 2 ** 32));
  view.setUint32(6, length >>> 0);
  return header;
}
