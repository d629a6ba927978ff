/**
 * The client's WebSocket framing without a socket: server frames fed to FrameReader in reads of every size (each
 * read lands where the reader says, as Node's `onread` does), and the client frames clientFrame makes.
 */
import { describe, expect, it } from 'vitest';
import { FrameReader, OPCODE, clientFrame, closePayload } from '../src/client/websocket-frames.js';

/** A server frame (unmasked) of `opcode` carrying `payload`; `fin` false for all but a message's last fragment. */
function serverFrame(opcode: number, payload: Uint8Array, fin = true, firstByteExtra = 0): Uint8Array {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = new Uint8Array(header + length);
  frame[0] = (fin ? 0x80 : 0) | opcode | firstByteExtra;
  const view = new DataView(frame.buffer);
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    view.setUint16(2, length);
  } else {
    frame[1] = 127;
    view.setBigUint64(2, BigInt(length));
  }
  frame.set(payload, header);
  return frame;
}

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);

type Event = [string, ...unknown[]];

const b64 = (data: Uint8Array) => Buffer.from(data).toString('base64');

const HEAD = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n';

/** Feeds an HTTP head and `stream` to a reader in reads of at most `readSize` bytes; the events after the head. */
function feed(stream: Uint8Array, readSize: number, maxPayload = 1 << 30): Event[] {
  const events: Event[] = [];
  const reader = new FrameReader(
    maxPayload,
    (length) => new Uint8Array(length),
    {
      message: (data, isBinary) => events.push(['message', b64(data), isBinary]),
      ping: (payload) => events.push(['ping', Array.from(payload)]),
      close: (code, reason) => events.push(['close', code, reason]),
      fail: (code, reason) => events.push(['fail', code, reason]),
    },
    (head) => {
      const text = Buffer.from(head).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return 0;
      expect(text.slice(0, end + 4)).toBe(HEAD);
      return end + 4;
    },
  );
  const input = concat([Buffer.from(HEAD), stream]);
  let at = 0;
  while (at < input.length) {
    const target = reader.nextReadBuffer();
    const n = Math.min(readSize, target.length, input.length - at);
    target.set(input.subarray(at, at + n));
    reader.onRead(n);
    at += n;
  }
  return events;
}

describe('FrameReader', () => {
  it('reassembles messages of every length form, split at every read size, with control frames between', () => {
    const small = bytes(100, 1);
    const medium = bytes(70_000, 2);
    const large = bytes(80_000, 3);
    const stream = concat([
      serverFrame(OPCODE.binary, small),
      serverFrame(OPCODE.ping, bytes(5, 4)),
      serverFrame(OPCODE.binary, medium),
      serverFrame(OPCODE.text, Buffer.from('héllo')),
      serverFrame(OPCODE.binary, large.subarray(0, 1000), false),
      serverFrame(OPCODE.pong, bytes(3, 5)),
      serverFrame(OPCODE.continuation, large.subarray(1000, 40_000), false),
      serverFrame(OPCODE.ping, new Uint8Array(0)),
      serverFrame(OPCODE.continuation, large.subarray(40_000)),
      serverFrame(OPCODE.binary, new Uint8Array(0)),
      serverFrame(OPCODE.close, closePayload(4001, 'idle timeout')),
      serverFrame(OPCODE.binary, small), // after the close frame: ignored
    ]);
    const expected: Event[] = [
      ['message', b64(small), true],
      ['ping', Array.from(bytes(5, 4))],
      ['message', b64(medium), true],
      ['message', b64(Buffer.from('héllo')), false],
      ['ping', []],
      ['message', b64(large), true],
      ['message', '', true],
      ['close', 4001, 'idle timeout'],
    ];
    for (const readSize of [1, 2, 3, 7, 125, 4096, 65_536, 1 << 20]) {
      expect(feed(stream, readSize)).toEqual(expected);
    }
  });

  it('reads the rest of a large payload straight into the message buffer', () => {
    const payload = bytes(200_000, 9);
    const allocated: Uint8Array[] = [];
    const reader = new FrameReader(
      1 << 30,
      (length) => {
        allocated.push(new Uint8Array(length));
        return allocated.at(-1)!;
      },
      { message: () => undefined, ping: () => undefined, close: () => undefined, fail: () => undefined },
      (head) => (head.length >= 4 ? 4 : 0), // a 4-byte stand-in for the HTTP head
    );
    const frame = serverFrame(OPCODE.binary, payload);
    const first = reader.nextReadBuffer();
    first.set(concat([Uint8Array.from([1, 2, 3, 4]), frame.subarray(0, 1000)]));
    reader.onRead(1004);
    const next = reader.nextReadBuffer();
    expect(next.buffer).toBe(allocated[0]!.buffer);
    expect(next.length).toBe(payload.length - (1000 - 10));
  });

  it('fails the connection with the RFC 6455 close codes', () => {
    const text = (s: Uint8Array) => serverFrame(OPCODE.text, s);
    const cases: [Uint8Array, number, RegExp][] = [
      [serverFrame(OPCODE.binary, bytes(4, 1), true, 0x40), 1002, /RSV/],
      [Uint8Array.from([0x82, 0x81, 1, 2, 3, 4, 9]), 1002, /masked/],
      [serverFrame(0x3, bytes(4, 1)), 1002, /reserved opcode 3/],
      [serverFrame(0xb, bytes(4, 1)), 1002, /reserved opcode 11/],
      [serverFrame(OPCODE.ping, bytes(126, 1)), 1002, /fragmented or oversized control frame/],
      [serverFrame(OPCODE.continuation, bytes(4, 1)), 1002, /continuation frame outside/],
      [
        concat([serverFrame(OPCODE.binary, bytes(4, 1), false), serverFrame(OPCODE.binary, bytes(4, 1))]),
        1002,
        /new message inside/,
      ],
      [serverFrame(OPCODE.ping, bytes(4, 1), false), 1002, /fragmented or oversized/],
      [serverFrame(OPCODE.binary, bytes(2000, 1)), 1009, /more than 1000 bytes/],
      [text(Uint8Array.from([0xc3, 0x28])), 1007, /UTF-8/],
      [serverFrame(OPCODE.close, Uint8Array.from([3])), 1002, /one-byte payload/],
    ];
    for (const [stream, code, reason] of cases) {
      const events = feed(stream, 3, 1000);
      expect(events).toHaveLength(1);
      expect(events[0]![0]).toBe('fail');
      expect(events[0]![1]).toBe(code);
      expect(events[0]![2]).toMatch(reason);
    }
    expect(feed(serverFrame(OPCODE.close, new Uint8Array(0)), 1)).toEqual([['close', 1005, '']]);
  });
});

describe('clientFrame', () => {
  it('masks the payload with a fresh key and sizes the header by the payload', () => {
    for (const length of [0, 125, 126, 65_535, 65_536, 70_000]) {
      const payload = bytes(length, length);
      const frame = clientFrame(OPCODE.binary, payload);
      expect(frame[0]).toBe(0x82);
      expect(frame[1]! & 0x80).toBe(0x80);
      const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
      const view = new DataView(frame.buffer);
      const declared =
        header === 2 ? frame[1]! & 0x7f : header === 4 ? view.getUint16(2) : Number(view.getBigUint64(2));
      expect(declared).toBe(length);
      const mask = frame.subarray(header, header + 4);
      const unmasked = frame.subarray(header + 4).map((b, i) => b ^ mask[i & 3]!);
      expect(Buffer.from(unmasked).equals(payload)).toBe(true);
    }
    const keys = new Set(
      Array.from({ length: 50 }, () =>
        Buffer.from(clientFrame(OPCODE.ping, new Uint8Array(0)).subarray(2, 6)).toString('hex'),
      ),
    );
    expect(keys.size).toBeGreaterThan(45);
  });
});
