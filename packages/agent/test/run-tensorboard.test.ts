import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  crc32c,
  EVENT_FILE_VERSION,
  maskedCrc32c,
  readTensorBoardEvents,
  TensorBoardWriter,
} from '../src/run/index.js';
import { decodeEvent, encodeEvent } from '../src/run/tensorboard-event.js';
import { decodeTfRecords, encodeTfRecord } from '../src/run/tfrecord.js';

const ascii = (text: string) => new TextEncoder().encode(text);

let logdir: string;
beforeEach(async () => {
  logdir = await mkdtemp(join(tmpdir(), 'vinegym-tb-'));
});
afterEach(async () => {
  await rm(logdir, { recursive: true, force: true });
});

describe('crc32c', () => {
  it('matches the standard CRC-32C check values (RFC 3720 B.4 and the "123456789" check)', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(ascii('a'))).toBe(0xc1d04330);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('masks as TFRecord does: rotate right 15, add 0xa282ead8', () => {
    const crc = 0xe3069283;
    expect(maskedCrc32c(ascii('123456789'))).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
  });
});

describe('Event protobuf', () => {
  it('encodes the hand-computed bytes of a small scalar event', () => {
    const bytes = encodeEvent({ wallTime: 1.5, step: 3, scalars: [{ tag: 'a', value: 1 }] });
    // prettier-ignore
    const expected = [
      0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, // wall_time = 1.5 (fixed64 double)
      0x10, 0x03, // step = 3 (varint)
      0x2a, 0x0a, // summary, 10 bytes
      0x0a, 0x08, // value, 8 bytes
      0x0a, 0x01, 0x61, // tag = "a"
      0x15, 0, 0, 0x80, 0x3f, // simple_value = 1.0 (fixed32 float)
    ];
    expect(Array.from(bytes)).toEqual(expected);
  });

  it('round-trips large steps (multi-byte varints) and the file version', () => {
    const event = { wallTime: 1_700_000_000.25, step: 2 ** 40 + 5, fileVersion: EVENT_FILE_VERSION, scalars: [] };
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });
});

describe('TFRecord', () => {
  it('frames records with length and data CRCs and detects corruption', () => {
    const file = new Uint8Array([...encodeTfRecord(ascii('hello')), ...encodeTfRecord(new Uint8Array(0))]);
    expect(file.length).toBe(12 + 5 + 4 + 12 + 4);
    expect(decodeTfRecords(file).map((r) => new TextDecoder().decode(r))).toEqual(['hello', '']);
    const corrupted = file.slice();
    corrupted[13] ^= 1;
    expect(() => decodeTfRecords(corrupted)).toThrow(/data crc/);
  });
});

describe('TensorBoardWriter', () => {
  it('writes an event file that reads back: version first, then the scalars', async () => {
    let clock = 1_700_000_123_456;
    const writer = await TensorBoardWriter.create(logdir, { hostname: 'testhost', now: () => clock });
    expect(writer.file).toBe(join(logdir, 'events.out.tfevents.1700000123.testhost'));
    writer.scalar('episode_return_mean', -12.5, 1);
    clock += 1000;
    writer.scalars(2, { episode_return_mean: 3.25, kl: 0.01 });
    await writer.flush();
    await writer.flush(); // nothing pending: no-op

    const events = await readTensorBoardEvents(writer.file);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', step: 0, scalars: [] });
    expect(events[1]).toMatchObject({
      step: 1,
      wallTime: 1_700_000_123.456,
      scalars: [{ tag: 'episode_return_mean', value: -12.5 }],
    });
    expect(events[2].step).toBe(2);
    expect(events[2].scalars[0]).toEqual({ tag: 'episode_return_mean', value: 3.25 });
    expect(events[2].scalars[1].tag).toBe('kl');
    expect(events[2].scalars[1].value).toBeCloseTo(0.01, 7); // stored as float32

    const raw = await readFile(writer.file);
    expect(decodeTfRecords(raw)).toHaveLength(3);
  });

  it('marks a resumed run with a SessionLog START event at the checkpoint step', async () => {
    const writer = await TensorBoardWriter.create(logdir, { resumedFromStep: 40 });
    writer.scalar('kl', 0.02, 41);
    await writer.flush();
    const events = await readTensorBoardEvents(writer.file);
    expect(events.map((e) => [e.step, e.fileVersion, e.sessionStart, e.scalars.length])).toEqual([
      [0, 'brain.Event:2', undefined, 0],
      [40, undefined, true, 0],
      [41, undefined, undefined, 1],
    ]);
    const raw = encodeEvent({ wallTime: 0, step: 40, sessionStart: true, scalars: [] });
    expect(Array.from(raw.subarray(raw.length - 4))).toEqual([0x32, 0x02, 0x08, 0x01]); // session_log { status: START }
  });

  it('does not clobber an event file created in the same second', async () => {
    const options = { hostname: 'h', now: () => 5_000 };
    const a = await TensorBoardWriter.create(logdir, options);
    const b = await TensorBoardWriter.create(logdir, options);
    expect(a.file).not.toBe(b.file);
    expect((await readdir(logdir)).sort()).toEqual(['events.out.tfevents.5.h', 'events.out.tfevents.5.h.1']);
  });
});
