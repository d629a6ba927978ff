/**
 * One WebSocket connection to a vinegym server: hello handshake, pipelined requests matched to responses by id,
 * and answers to the server's pings. Knows nothing of envs; RemoteVectorEnv builds on it.
 */
import type WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  VinegymError,
  decodeFrame,
  encodeFrame,
  fromWireError,
  type HelloResult,
  type Messages,
  type RequestType,
} from '@vinegym/protocol';
import { PACKAGE_VERSION } from '../version.js';

export interface ConnectionOptions {
  /** Shared secret the server was started with (`--token`). Default: none. */
  token?: string;
  /** Milliseconds to wait for the socket to open and the hello answer. Default: 10000. */
  connectTimeoutMs?: number;
  /** Name and version this client reports in hello. Default: vinegym-agent and this package's version. */
  clientName?: string;
  clientVersion?: string;
  /** Largest frame accepted from the server, in bytes. Default: 256 MiB. */
  maxMessageBytes?: number;
  /** wss://: PEM CA certificate(s) to trust besides the system ones (e.g. a self-signed server cert). Default: none. */
  ca?: string | Buffer;
  /** wss://: whether to verify the server certificate. Default: true. */
  rejectUnauthorized?: boolean;
}

/** The link to the server is gone (closed, refused or timed out); pending requests fail with it. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

interface Pending {
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
}

export class Connection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | null = null;

  private constructor(
    readonly url: string,
    private readonly socket: WebSocket,
    /** What the server said in hello: version, capabilities, limits. Set by `open`. */
    public hello: HelloResult = undefined as unknown as HelloResult,
  ) {
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on('close', (code, reason) =>
      this.failAll(
        new ConnectionError(`connection to ${url} closed (${code}${reason.length ? ` ${reason}` : ''})`, url),
      ),
    );
    socket.on('error', (err) => this.failAll(new ConnectionError(`connection to ${url} failed: ${err.message}`, url)));
  }

  /** Opens a WebSocket to `url` (ws://host:port/v1/ws) and performs the hello handshake. */
  static async open(url: string, options: ConnectionOptions = {}): Promise<Connection> {
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    // Imported here, not at the top: training on the embedded server never opens a socket.
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      maxPayload: options.maxMessageBytes ?? 256 * 1024 * 1024,
      handshakeTimeout: timeoutMs,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (err) => reject(new ConnectionError(`cannot connect to ${url}: ${err.message}`, url)));
    });
    const connection = new Connection(url, socket);
    const timer = setTimeout(() => socket.terminate(), timeoutMs);
    try {
      connection.hello = await connection.request('hello', {
        protocol_versions: [PROTOCOL_VERSION],
        client: { name: options.clientName ?? 'vinegym-agent', version: options.clientVersion ?? PACKAGE_VERSION },
        ...(options.token !== undefined ? { token: options.token } : {}),
      });
    } catch (err) {
      socket.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return connection;
  }

  /** Sends one request; resolves with the result body or rejects with a VinegymError / ConnectionError. */
  request<T extends RequestType>(type: T, body: Messages[T][0]): Promise<Messages[T][1]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (b: unknown) => void, reject });
      this.socket.send(encodeFrame({ id, type, body }), { binary: true });
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Drops the socket at once, without a closing handshake; pending requests fail with a ConnectionError. */
  terminate(): void {
    this.socket.terminate();
  }

  close(): Promise<void> {
    if (this.socket.readyState === this.socket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(1000);
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) return; // protocol v1 uses binary frames only
    let frame: Record<string, unknown>;
    try {
      frame = decodeFrame(data) as Record<string, unknown>;
    } catch (err) {
      this.failAll(new ConnectionError(`undecodable frame from server: ${(err as Error).message}`, this.url));
      this.socket.terminate();
      return;
    }
    if (frame.type === 'ping') {
      this.socket.send(encodeFrame({ type: 'pong', nonce: frame.nonce }), { binary: true });
      return;
    }
    const id = frame.id as number | null;
    if (id === null || id === undefined) {
      // An error the server could not tie to a request (e.g. an oversized frame): nothing pending can succeed.
      const error = frame.error as Parameters<typeof fromWireError>[0] | undefined;
      if (error) this.failAll(fromWireError(error));
      return;
    }
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (frame.ok === true) pending.resolve(frame.body);
    else pending.reject(fromWireError(frame.error as Parameters<typeof fromWireError>[0], id));
  }

  private failAll(err: Error): void {
    this.closedError ??= err instanceof VinegymError ? new ConnectionError(err.message, this.url) : err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
