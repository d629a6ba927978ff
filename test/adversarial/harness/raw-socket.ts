/**
 * Attacker-side sockets below any WebSocket library: a TCP connection that completes the upgrade handshake and then
 * writes frames byte by byte as the test wants them (a declared length the bytes never reach, a partial frame,
 * frames of any opcode), and plain TCP/HTTP sockets. Client frames carry a zero mask (legal, and free to unmask).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** Sees every byte any raw socket receives (runAttack checks it for the canary's secret); null: nobody. */
let receiveRecorder: ((bytes: Buffer) => void) | null = null;

export function setReceiveRecorder(recorder: ((bytes: Buffer) => void) | null): void {
  receiveRecorder = recorder;
}

export interface RawWebSocket {
  socket: Socket;
  /** Every byte received after the handshake (server frames, unparsed). */
  received(): Buffer;
  /** Writes bytes as they are. */
  write(bytes: Uint8Array): Promise<void>;
  /** Resolves when the server closed the TCP connection. */
  closed: Promise<void>;
  destroy(): void;
}

/** A client WebSocket frame header for a payload of `length` bytes (masked with a zero key). */
export function frameHeader(length: number, opcode = 0x2, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  if (length < 126) return Buffer.from([first, 0x80 | length, 0, 0, 0, 0]);
  if (length < 0x10000) return Buffer.from([first, 0x80 | 126, length >> 8, length & 0xff, 0, 0, 0, 0]);
  const header = Buffer.alloc(14);
  header[0] = first;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/** A whole client frame. */
export function frame(payload: Uint8Array, opcode = 0x2): Buffer {
  return Buffer.concat([frameHeader(payload.length, opcode), payload]);
}

/** Opens a TCP connection to the server of `url` (ws://host:port/path). */
export function tcpConnect(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Opens a TCP connection and completes the WebSocket upgrade; rejects unless the server answers 101. */
export async function rawWebSocket(url: string): Promise<RawWebSocket> {
  const socket = await tcpConnect(url);
  socket.on('error', () => undefined);
  const { host, pathname } = new URL(url);
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const chunks: Buffer[] = [];
  let total = 0;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      if (!/^HTTP\/1\.1 101/.test(head.toString('latin1', 0, 12)))
        return reject(new Error(`upgrade refused: ${head.toString('latin1', 0, 40)}`));
      const rest = head.subarray(end + 4);
      if (rest.length) chunks.push(rest);
      receiveRecorder?.(rest);
      socket.on('data', (data: Buffer) => {
        receiveRecorder?.(data);
        if (total < 1 << 20) chunks.push(data); // keep the start: tests look at the first frames only
        total += data.length;
      });
      resolve();
    };
    socket.on('data', onData);
    void closed.then(() => reject(new Error('closed during the handshake')));
  });
  return {
    socket,
    received: () => Buffer.concat(chunks),
    write: (bytes) =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.write(bytes, () => resolve());
      }),
    closed,
    destroy: () => socket.destroy(),
  };
}

/** Server frames in `bytes` (unmasked, as servers send them): opcode and payload of each complete one. */
export function parseServerFrames(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let pos = 0;
  while (pos + 2 <= bytes.length) {
    const opcode = bytes[pos] & 0x0f;
    let length = bytes[pos + 1] & 0x7f;
    let start = pos + 2;
    if (length === 126) {
      if (start + 2 > bytes.length) break;
      length = bytes.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (start + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(start));
      start += 8;
    }
    if (start + length > bytes.length) break;
    frames.push({ opcode, payload: bytes.subarray(start, start + length) });
    pos = start + length;
  }
  return frames;
}

/** The close code of the first close frame in `bytes`, if any. */
export function closeCodeIn(bytes: Buffer): number | undefined {
  const close = parseServerFrames(bytes).find((f) => f.opcode === 0x8);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
}

/** Resolves with the close code the server sent (or undefined when it cut the connection without one), or 'open'. */
export async function serverClose(raw: RawWebSocket, ms: number): Promise<number | undefined | 'open'> {
  const deadline = performance.now() + ms;
  for (;;) {
    const code = closeCodeIn(raw.received());
    if (code !== undefined) return code;
    if (raw.socket.destroyed || raw.socket.readableEnded) return closeCodeIn(raw.received());
    if (performance.now() > deadline) return 'open';
    await Promise.race([raw.closed, new Promise((resolve) => setTimeout(resolve, 10))]);
  }
}
