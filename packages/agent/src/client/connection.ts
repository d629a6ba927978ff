/**
 * One WebSocket connection to a vinegym server: hello handshake, pipelined requests matched to responses by id,
 * and answers to the server's pings. Knows nothing of envs; RemoteVectorEnv builds on it.
 */
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
import { openMessageSocket, type MessageSocket } from './message-socket.js';
import { ReceiveBufferPool } from './receive-buffers.js';

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
  /**
   * ws:// only. false (default): every response lives in memory of its own; the caller may keep its arrays.
   * true: responses are received into buffers the connection reuses, so the typed arrays of a response (e.g. the
   * observations of a step) are valid only until the next request is sent on this connection; copy what you keep,
   * as with Gymnasium's vector envs made with `copy=False`. Saves one allocation per response, and with it the
   * garbage collections: worth it for large observations (raw Atari frames: 806 KB per step of 8 envs).
   */
  reuseReceiveBuffers?: boolean;
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
  /** `close()` calls waiting for the link to be gone. */
  private readonly closeWaiters: (() => void)[] = [];

  private socket!: MessageSocket;
  /** Set when received buffers are reused (`reuseReceiveBuffers`): a request gives them back. */
  private readonly receiveBuffers: ReceiveBufferPool | null;
  /** What the server said in hello: version, capabilities, limits. Set by `open`. */
  hello!: HelloResult;

  private constructor(
    readonly url: string,
    reuseReceiveBuffers: boolean,
  ) {
    this.receiveBuffers = reuseReceiveBuffers ? new ReceiveBufferPool() : null;
  }

  /** Opens a WebSocket to `url` (ws://host:port/v1/ws) and performs the hello handshake. */
  static async open(url: string, options: ConnectionOptions = {}): Promise<Connection> {
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const connection = new Connection(url, options.reuseReceiveBuffers ?? false);
    const pool = connection.receiveBuffers;
    let socket: MessageSocket;
    try {
      socket = await openMessageSocket(
        url,
        {
          handshakeTimeoutMs: timeoutMs,
          maxPayload: options.maxMessageBytes ?? 256 * 1024 * 1024,
          allocate: pool ? (length) => pool.take(length) : (length) => Buffer.allocUnsafe(length),
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
          ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
        },
        {
          message: (bytes, isBinary) => connection.onMessage(bytes, isBinary),
          close: (code, reason) => connection.onClose(code, reason),
          error: (err) => connection.failAll(new ConnectionError(`connection to ${url} failed: ${err.message}`, url)),
        },
      );
    } catch (err) {
      throw new ConnectionError(`cannot connect to ${url}: ${(err as Error).message}`, url);
    }
    connection.socket = socket;
    const timer = setTimeout(() => socket.terminate(), timeoutMs);
    try {
      connection.hello = await connection.request('hello', {
        protocol_versions: [PROTOCOL_VERSION],
        client: { name: options.clientName ?? 'vinegym-agent', version: options.clientVersion ?? PACKAGE_VERSION },
        ...(options.token !== undefined ? { token: options.token } : {}),
      });
    } catch (err) {
      socket.close(1000);
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
    this.receiveBuffers?.releaseAll();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (b: unknown) => void, reject });
      this.socket.send(encodeFrame({ id, type, body }));
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
    if (this.socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      this.socket.close(1000);
    });
  }

  private onMessage(data: Uint8Array, isBinary: boolean): void {
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
      this.socket.send(encodeFrame({ type: 'pong', nonce: frame.nonce }));
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

  private onClose(code: number, reason: string): void {
    this.failAll(
      new ConnectionError(`connection to ${this.url} closed (${code}${reason.length ? ` ${reason}` : ''})`, this.url),
    );
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  private failAll(err: Error): void {
    this.closedError ??= err instanceof VinegymError ? new ConnectionError(err.message, this.url) : err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
