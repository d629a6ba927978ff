/**
 * Our ws:// client (plain-websocket.ts) against the `ws` package's server over real loopback sockets: the opening
 * handshake and its failures, large and fragmented messages both ways, pings, the closing handshake from either
 * side, and the message size limit.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MessageSocket, MessageSocketEvents } from '../src/client/message-socket.js';
import { openPlainWebSocket } from '../src/client/plain-websocket.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A ws server on a free port; `onConnection` gets each server-side socket. */
async function wsServer(onConnection: (socket: WebSocket) => void): Promise<string> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  server.on('connection', onConnection);
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  for (const client of server.clients) cleanups.push(() => client.terminate());
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/ws`;
}

interface Recorder extends MessageSocketEvents {
  messages: { bytes: Uint8Array; isBinary: boolean }[];
  closed: Promise<[number, string]>;
  errors: Error[];
}

function recorder(): Recorder {
  let done!: (value: [number, string]) => void;
  const closed = new Promise<[number, string]>((resolve) => (done = resolve));
  const r: Recorder = {
    messages: [],
    errors: [],
    closed,
    message: (bytes, isBinary) => r.messages.push({ bytes: Buffer.from(bytes), isBinary }),
    close: (code, reason) => done([code, reason]),
    error: (error) => r.errors.push(error),
  };
  return r;
}

const OPTIONS = { handshakeTimeoutMs: 2000, maxPayload: 64 << 20, allocate: (n: number) => new Uint8Array(n) };

async function open(url: string, events: MessageSocketEvents, options = OPTIONS): Promise<MessageSocket> {
  const socket = await openPlainWebSocket(url, options, events);
  cleanups.push(() => socket.terminate());
  return socket;
}

const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);

describe('plain WebSocket client', () => {
  it('exchanges large, small and fragmented messages with a ws server, and answers pings', async () => {
    const big = random(3_000_000);
    let pong: Buffer | undefined;
    const url = await wsServer((socket) => {
      socket.on('pong', (data) => (pong = data));
      socket.on('message', (data: Buffer, isBinary) => {
        // Echo, then the same bytes in three fragments, then a text message.
        socket.send(data, { binary: isBinary });
        socket.ping(Buffer.from('are you there'));
        socket.send(data.subarray(0, 10), { fin: false });
        socket.send(data.subarray(10, 100_000), { fin: false });
        socket.send(data.subarray(100_000), { fin: true });
        socket.send('done');
      });
    });
    const events = recorder();
    const socket = await open(url, events);
    socket.send(big);
    await expect.poll(() => events.messages.length).toBe(3);
    expect(Buffer.compare(events.messages[0]!.bytes, big)).toBe(0);
    expect(Buffer.compare(events.messages[1]!.bytes, big)).toBe(0);
    expect(events.messages.map((m) => m.isBinary)).toEqual([true, true, false]);
    expect(Buffer.from(events.messages[2]!.bytes).toString()).toBe('done');
    await expect.poll(() => pong?.toString()).toBe('are you there');
    socket.send(Uint8Array.from([1, 2, 3]));
    await expect.poll(() => events.messages.length).toBe(6);
    expect(Array.from(events.messages[3]!.bytes)).toEqual([1, 2, 3]);
    expect(events.errors).toEqual([]);
  });

  it('closes with the code of either side', async () => {
    let serverSaw: number | undefined;
    const url = await wsServer((socket) => {
      socket.on('close', (code) => (serverSaw = code));
      socket.on('message', () => socket.close(4001, 'idle timeout'));
    });
    const first = recorder();
    const a = await open(url, first);
    a.send(new Uint8Array(1));
    expect(await first.closed).toEqual([4001, 'idle timeout']);
    expect(a.closed).toBe(true);
    await expect.poll(() => serverSaw).toBe(4001);

    const second = recorder();
    const b = await open(url, second);
    b.close(1000);
    expect(await second.closed).toEqual([1000, '']);
    await expect.poll(() => serverSaw).toBe(1000);
    b.send(new Uint8Array(1)); // after close: dropped, not thrown
  });

  it('closes with 1009 when a message is larger than maxPayload', async () => {
    const url = await wsServer((socket) => socket.on('message', () => socket.send(new Uint8Array(5000))));
    const events = recorder();
    const socket = await open(url, events, { ...OPTIONS, maxPayload: 4096 });
    socket.send(new Uint8Array(1));
    expect((await events.closed)[0]).toBe(1009);
    expect(events.errors.map((e) => e.message)).toEqual(['message of more than 4096 bytes']);
  });

  it('rejects a server that does not upgrade, and one that does not answer in time', async () => {
    const http: Server = createHttpServer((_req, res) => res.writeHead(404).end('no'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const httpUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1/ws`;
    await expect(openPlainWebSocket(httpUrl, OPTIONS, recorder())).rejects.toThrow('Unexpected server response: 404');

    const silent = createTcpServer((socket) => {
      cleanups.push(() => void socket.destroy());
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const silentUrl = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/ws`;
    await expect(openPlainWebSocket(silentUrl, { ...OPTIONS, handshakeTimeoutMs: 200 }, recorder())).rejects.toThrow(
      'Opening handshake has timed out',
    );

    await expect(openPlainWebSocket('ws://127.0.0.1:1/v1/ws', OPTIONS, recorder())).rejects.toThrow(/ECONNREFUSED/);
  });
});
