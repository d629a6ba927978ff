/**
 * A WebSocket client (RFC 6455) for ws:// URLs on a Node TCP socket whose reads the FrameReader directs
 * (websocket-frames.ts): no extensions, no subprotocols, binary and text messages, ping answered with pong, the
 * closing handshake both ways. TLS (wss://) goes through the `ws` package instead (message-socket.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { MessageSocket, MessageSocketEvents, MessageSocketOptions } from './message-socket.js';
import { FrameReader, OPCODE, clientFrame, closePayload } from './websocket-frames.js';

/** RFC 6455 1.3: appended to the client's key to make the server's Sec-WebSocket-Accept. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** How long our closing handshake may wait for the server's close frame before the socket is dropped. */
const CLOSE_TIMEOUT_MS = 5000;
const HEAD_END = Buffer.from('\r\n\r\n');

type State = 'connecting' | 'open' | 'closing' | 'closed';

/** Connects to `url` (ws://) and completes the opening handshake; rejects when either fails or times out. */
export function openPlainWebSocket(
  url: string,
  options: MessageSocketOptions,
  events: MessageSocketEvents,
): Promise<MessageSocket> {
  return new Promise((resolve, reject) => {
    const link: PlainWebSocket = new PlainWebSocket(new URL(url), options, events, (error) =>
      error === null ? resolve(link) : reject(error),
    );
  });
}

class PlainWebSocket implements MessageSocket {
  private state: State = 'connecting';
  private readonly socket: Socket;
  private readonly reader: FrameReader;
  private readonly expectedAccept: string;
  private error: Error | null = null;
  private closeCode = 1006;
  private closeReason = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    url: URL,
    options: MessageSocketOptions,
    private readonly events: MessageSocketEvents,
    private readonly opened: (error: Error | null) => void,
  ) {
    const key = randomBytes(16).toString('base64');
    this.expectedAccept = createHash('sha1')
      .update(key + HANDSHAKE_GUID)
      .digest('base64');
    this.reader = new FrameReader(
      options.maxPayload,
      options.allocate,
      {
        message: (bytes, isBinary) => events.message(bytes, isBinary),
        ping: (payload) => this.write(OPCODE.pong, payload),
        close: (code, reason) => this.onCloseFrame(code, reason),
        fail: (code, reason) => this.fail(code, reason),
      },
      (bytes) => this.onResponseHead(bytes),
    );
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.socket = connect({
      host,
      port: Number(url.port || 80),
      onread: {
        buffer: () => this.reader.nextReadBuffer(),
        callback: (bytes) => {
          this.reader.onRead(bytes);
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.once('connect', () =>
      this.socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    this.socket.on('error', (error) => this.onError(error));
    this.socket.on('close', () => this.onSocketClose());
    this.timer = setTimeout(
      () => this.socket.destroy(new Error('Opening handshake has timed out')),
      options.handshakeTimeoutMs,
    );
  }

  send(bytes: Uint8Array): void {
    this.write(OPCODE.binary, bytes);
  }

  /** A frame of `opcode`; dropped once the closing handshake has begun. */
  private write(opcode: number, payload: Uint8Array): void {
    if (this.state === 'open') this.socket.write(clientFrame(opcode, payload));
  }

  close(code: number): void {
    if (this.state === 'connecting') return this.terminate();
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.socket.write(clientFrame(OPCODE.close, closePayload(code)));
    this.timer = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
  }

  terminate(): void {
    this.socket.destroy();
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Checks the server's HTTP answer; returns the length of its head, or 0 while it is incomplete. */
  private onResponseHead(bytes: Uint8Array): number {
    const end = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(HEAD_END);
    if (end < 0) return 0;
    const [statusLine = '', ...lines] = Buffer.from(bytes.buffer, bytes.byteOffset, end)
      .toString('latin1')
      .split('\r\n');
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
    const problem =
      status !== '101'
        ? `Unexpected server response: ${status ?? statusLine.slice(0, 40)}`
        : headers.get('upgrade')?.toLowerCase() !== 'websocket'
          ? 'Invalid Upgrade header'
          : headers.get('sec-websocket-accept') !== this.expectedAccept
            ? 'Invalid Sec-WebSocket-Accept header'
            : headers.has('sec-websocket-extensions') || headers.has('sec-websocket-protocol')
              ? 'Server sent an extension or subprotocol that was not requested'
              : null;
    if (problem !== null) {
      this.reader.stop();
      this.socket.destroy(new Error(problem));
      return 0;
    }
    clearTimeout(this.timer);
    this.state = 'open';
    this.opened(null);
    return end + HEAD_END.length;
  }

  /** The server's close frame: answer it (unless it answers ours), then end the TCP stream. */
  private onCloseFrame(code: number, reason: string): void {
    this.closeCode = code;
    this.closeReason = reason;
    if (this.state === 'open') {
      this.state = 'closing';
      this.socket.write(clientFrame(OPCODE.close, code === 1005 ? new Uint8Array(0) : closePayload(code)));
    }
    this.socket.end();
  }

  /** The server broke the protocol: say why in a close frame and drop the link. */
  private fail(code: number, reason: string): void {
    if (this.state === 'connecting') return void this.socket.destroy(new Error(reason));
    this.onError(new Error(reason));
    if (this.state === 'open') this.socket.write(clientFrame(OPCODE.close, closePayload(code)));
    this.state = 'closing';
    this.closeCode = code;
    this.socket.end();
    this.timer = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
  }

  private onError(error: Error): void {
    if (this.error !== null) return;
    this.error = error;
    if (this.state !== 'connecting') this.events.error(error);
  }

  private onSocketClose(): void {
    clearTimeout(this.timer);
    this.reader.stop();
    const wasOpen = this.state !== 'connecting';
    this.state = 'closed';
    if (!wasOpen) this.opened(this.error ?? new Error('the server closed the connection during the handshake'));
    else this.events.close(this.closeCode, this.closeReason);
  }
}
