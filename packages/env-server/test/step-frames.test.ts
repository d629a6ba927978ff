/**
 * Step responses written without copying their observations (src/step-frames.ts): the bytes written are ws's own
 * framing of `encodeFrame`'s bytes, the observation batch goes out as the batch itself, and the writer is busy
 * until the write has completed.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { decodeFrame, encodeFrame, ndarray, type NDArray, type StepResult } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { StepFrameWriter, binaryFrameHeader } from '../src/step-frames.js';

/** ws's own framing (its Sender is not in its type declarations). */
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/** ws's header for an unmasked, final binary frame of `length` bytes. */
function wsHeader(length: number): Buffer {
  const [header] = Sender.frame(Buffer.alloc(length), {
    fin: true,
    opcode: 2,
    mask: false,
    readOnly: true,
    rsv1: false,
  });
  return header!;
}

/** A transport that records the chunks written and completes each write when `complete()` is called. */
class RecordingTransport extends Writable {
  readonly chunks: Buffer[] = [];
  private readonly waiting: (() => void)[] = [];

  override _writev(chunks: { chunk: Buffer }[], callback: () => void): void {
    for (const { chunk } of chunks) this.chunks.push(chunk);
    this.waiting.push(callback);
  }

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this._writev([{ chunk }], callback);
  }

  complete(): void {
    for (const callback of this.waiting.splice(0)) callback();
  }
}

function stepResult(numEnvs: number, fill: number): StepResult {
  return {
    observations: ndarray('uint8', [numEnvs, 210, 160, 3], new Uint8Array(numEnvs * 210 * 160 * 3).fill(fill)),
    rewards: ndarray('float64', [numEnvs]),
    terminated: ndarray('bool', [numEnvs]),
    truncated: ndarray('bool', [numEnvs]),
    autoreset: ndarray('bool', [numEnvs]),
    infos: Array.from({ length: numEnvs }, (_, i) => ({ lives: i })),
  };
}

describe('StepFrameWriter', () => {
  it('frames like ws for every length form', () => {
    for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 806_400]) {
      expect(Buffer.from(binaryFrameHeader(length)).equals(wsHeader(length)), `length ${length}`).toBe(true);
    }
  });

  it('writes one frame of the encoded response with the observation batch itself, and is busy until written', async () => {
    const transport = new RecordingTransport();
    const writer = new StepFrameWriter(transport);
    const body = stepResult(2, 7);
    const frame = { id: 3, ok: true as const, body };
    let written = 0;
    writer.write(frame, () => written++);
    expect(writer.busy).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    const expected = encodeFrame(frame);
    const bytes = Buffer.concat(transport.chunks);
    expect(bytes.subarray(0, 10).equals(wsHeader(expected.length))).toBe(true);
    expect(bytes.subarray(10).equals(Buffer.from(expected))).toBe(true);
    expect(transport.chunks.some((chunk) => chunk.buffer === (body.observations as NDArray).data.buffer)).toBe(true);
    expect(decodeFrame(bytes.subarray(10))).toMatchObject({ id: 3, ok: true });
    expect(written).toBe(0);
    transport.complete();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(1);
    expect(writer.busy).toBe(false);
  });

  it('copies small observation batches, and encodes the next response into a new buffer while one is pending', async () => {
    const transport = new RecordingTransport();
    const writer = new StepFrameWriter(transport);
    const small = { id: 1, ok: true as const, body: { ...stepResult(1, 1), observations: ndarray('float64', [1, 4]) } };
    writer.write(small, () => undefined);
    writer.write({ id: 2, ok: true as const, body: stepResult(1, 2) }, () => undefined);
    // The stream holds the second frame's chunks until the first write completes.
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      transport.complete();
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.busy).toBe(false);
    const bytes = Buffer.concat(transport.chunks);
    const first = encodeFrame(small);
    const second = encodeFrame({ id: 2, ok: true, body: stepResult(1, 2) });
    const expected = Buffer.concat([wsHeader(first.length), first, wsHeader(second.length), second]);
    expect(bytes.equals(expected)).toBe(true);
  });
});
