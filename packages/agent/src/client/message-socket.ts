/**
 * The message link a Connection talks through: binary messages out, messages and the end of the link in. Two kinds:
 * our own WebSocket client for ws:// URLs (plain-websocket.ts, which reads large messages without garbage), and the
 * `ws` package for wss:// (TLS).
 */
import type WebSocket from 'ws';
import type { MessageAllocator } from './websocket-frames.js';

export interface MessageSocketEvents {
  message(bytes: Uint8Array, isBinary: boolean): void;
  /** The link is gone (after `error`, if there was one); `code` is the close code the server sent, else 1006. */
  close(code: number, reason: string): void;
  error(error: Error): void;
}

export interface MessageSocket {
  /** Sends one binary message (dropped silently once the link is closing). */
  send(bytes: Uint8Array): void;
  /** Starts the closing handshake with `code`; the `close` event follows. */
  close(code: number): void;
  /** Drops the link at once, without a closing handshake. */
  terminate(): void;
  /** Whether the `close` event has happened. */
  readonly closed: boolean;
}

export interface MessageSocketOptions {
  /** Milliseconds for the TCP connection and the opening handshake. */
  handshakeTimeoutMs: number;
  /** Largest message accepted, in bytes; a larger one closes the link with 1009. */
  maxPayload: number;
  /** Where a received message's bytes go (plain-websocket only; the `ws` package allocates its own). */
  allocate: MessageAllocator;
  /** wss:// only: CA certificates to trust and whether to verify the server's. */
  ca?: string | Buffer;
  rejectUnauthorized?: boolean;
}

/** Opens a link to `url`: ws:// with our client, wss:// with the `ws` package. Resolves once it is open. */
export async function openMessageSocket(
  url: string,
  options: MessageSocketOptions,
  events: MessageSocketEvents,
): Promise<MessageSocket> {
  if (new URL(url).protocol === 'ws:') {
    // Imported here, not at the top: training on the embedded server never opens a socket.
    const { openPlainWebSocket } = await import('./plain-websocket.js');
    return openPlainWebSocket(url, options, events);
  }
  return openWsPackageSocket(url, options, events);
}

async function openWsPackageSocket(
  url: string,
  options: MessageSocketOptions,
  events: MessageSocketEvents,
): Promise<MessageSocket> {
  const { default: WebSocket } = await import('ws');
  const socket = new WebSocket(url, {
    perMessageDeflate: false,
    maxPayload: options.maxPayload,
    handshakeTimeout: options.handshakeTimeoutMs,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
  });
  socket.binaryType = 'nodebuffer';
  let open = false;
  socket.on('message', (data: Buffer, isBinary: boolean) => events.message(data, isBinary));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      open = true;
      resolve();
    });
    socket.on('error', (err) => (open ? events.error(err) : reject(err)));
  });
  socket.on('close', (code, reason) => events.close(code, reason.toString()));
  return new WsPackageSocket(socket);
}

class WsPackageSocket implements MessageSocket {
  constructor(private readonly socket: WebSocket) {}

  send(bytes: Uint8Array): void {
    this.socket.send(bytes, { binary: true });
  }

  close(code: number): void {
    this.socket.close(code);
  }

  terminate(): void {
    this.socket.terminate();
  }

  get closed(): boolean {
    return this.socket.readyState === this.socket.CLOSED;
  }
}
