/**
 * One client WebSocket: the hello handshake, then requests answered in arrival order with the same id, and
 * keep-alive pings. Every failure is answered with a typed error frame and fails only its own request; the
 * socket is closed only for a wrong token, an oversized frame (by ws), unanswered pings, idleness and a missing
 * hello. Backpressure: when too many responses are still unwritten (the client does not read), the connection
 * stops reading requests until they drain, so a slow client cannot grow the server's memory.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  PROTOCOL_VERSION,
  VinegymError,
  decodeFrame,
  encodeFrame,
  isPongFrame,
  parseRequestFrame,
  toWireError,
} from '@vinegym/protocol';
import type { HelloRequest, HelloResult, RequestFrame } from '@vinegym/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { ServerMetrics } from './metrics.js';
import type { EnvService } from './service.js';
import { InOrderQueue } from './in-order-queue.js';

/** WebSocket close codes the server uses. */
export const CLOSE_CODES = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** hello carried a missing or wrong token (sent after the UNAUTHORIZED error frame). */
  unauthorized: 1008,
  /** A frame was larger than max_message_bytes (ws closes the socket itself; no error frame can be sent). */
  messageTooBig: 1009,
  /** The server already has max_connections connections (sent after a LIMIT_EXCEEDED error frame). */
  tryAgainLater: 1013,
  /** Two consecutive pings went unanswered. */
  pingTimeout: 4000,
  /** No request for idle_timeout_s, or no hello within the hello timeout. */
  idleTimeout: 4001,
} as const;

/** Unanswered pings after which the connection is closed. */
const MAX_UNANSWERED_PINGS = 2;

/** Per-connection limits; the server fills them from ServerOptions (defaults documented there). */
export interface ConnectionLimits {
  /** Unwritten responses at which the connection stops reading requests. */
  maxInFlight: number;
  /** Unwritten response bytes (ws bufferedAmount) at which the connection stops reading requests. */
  maxBufferedBytes: number;
  /** Milliseconds without a request before closing (4001); 0: never. */
  idleTimeoutMs: number;
  /** Milliseconds from opening to a successful hello before closing (4001); 0: never. */
  helloTimeoutMs: number;
}

export interface ConnectionOptions {
  service: EnvService;
  metrics: ServerMetrics;
  /** The hello answer (identical for every connection). */
  helloResult: HelloResult;
  /** SHA-256 of the expected token; undefined: no token required. */
  tokenHash: Buffer | undefined;
  limits: ConnectionLimits;
  /** Logger of this connection (the server binds the connection id). */
  log: FastifyBaseLogger;
}

export class Connection {
  private greeted = false;
  /** Something other than a pong arrived since the last ping tick. */
  private active = true;
  private unansweredPings = 0;
  private nextPingNonce = 1;
  private readonly openedAt = performance.now();
  private lastRequestAt = this.openedAt;
  /** Responses handed to ws whose write has not completed yet. */
  private unwritten = 0;
  /** Requests handled on this connection (for the close log line). */
  requests = 0;
  private readonly debug: boolean;
  private readonly queue: InOrderQueue<[RawData, boolean]>;
  private readonly onWritten = (): void => {
    this.unwritten--;
    if (this.socket.isPaused && !this.overloaded(0.5)) {
      this.socket.resume();
      this.options.log.debug({ unwritten: this.unwritten }, 'backlog drained, reading again');
    }
  };

  constructor(
    private readonly socket: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.debug = options.log.level === 'debug' || options.log.level === 'trace';
    // Sessions on worker threads answer asynchronously; the queue keeps responses in request order.
    this.queue = new InOrderQueue<[RawData, boolean]>(([data, isBinary]) => this.onMessage(data, isBinary));
    socket.on('message', (data, isBinary) => this.queue.push([data, isBinary]));
  }

  /**
   * Called periodically by the server: closes the connection (4001) when hello did not come within the hello
   * timeout or no request came within the idle timeout. Returns whether it closed it.
   */
  sweep(now: number = performance.now()): boolean {
    const { helloTimeoutMs, idleTimeoutMs } = this.options.limits;
    if (!this.greeted && helloTimeoutMs > 0 && now - this.openedAt > helloTimeoutMs) {
      this.options.log.info('closing connection: no hello within %d ms', helloTimeoutMs);
      this.close(CLOSE_CODES.idleTimeout, 'hello timeout');
      return true;
    }
    if (idleTimeoutMs > 0 && now - this.lastRequestAt > idleTimeoutMs) {
      this.options.log.info('closing connection: idle for %d ms', Math.round(now - this.lastRequestAt));
      this.close(CLOSE_CODES.idleTimeout, 'idle timeout');
      return true;
    }
    return false;
  }

  /**
   * Called every ping interval by the server: pings a connection that received nothing since the last tick,
   * and closes it when two pings in a row went unanswered.
   */
  pingTick(): void {
    if (this.active) {
      this.active = false;
      return;
    }
    if (this.unansweredPings >= MAX_UNANSWERED_PINGS) {
      this.options.log.info('closing connection: %d pings unanswered', this.unansweredPings);
      this.close(CLOSE_CODES.pingTimeout, 'ping timeout');
      return;
    }
    this.unansweredPings++;
    // Pings only follow hello (the protocol says so); a silent connection without hello is closed all the same.
    if (this.greeted) this.sendBytes(encodeFrame({ type: 'ping', nonce: this.nextPingNonce++ }));
  }

  /** Resolves once every request received so far has been answered (worker-thread sessions answer later). */
  answered(): Promise<void> {
    return this.queue.idle();
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  /** Handles one message; returns a promise when the answer comes later (a session on worker threads). */
  private onMessage(data: RawData, isBinary: boolean): Promise<void> | void {
    this.requests++;
    this.lastRequestAt = performance.now();
    if (!isBinary) {
      this.active = true;
      this.sendError(null, new VinegymError('BAD_REQUEST', 'text frames are not accepted: send MessagePack in binary frames'));
      return;
    }
    let id: number | null = null;
    try {
      const decoded = decodeFrame(asBytes(data));
      if (isPongFrame(decoded)) {
        this.requests--;
        this.unansweredPings = 0;
        return;
      }
      this.active = true;
      const frame = parseRequestFrame(decoded);
      id = frame.id;
      if (this.debug) this.options.log.debug({ reqId: id, type: frame.type }, 'request');
      if (frame.type === 'step' && this.greeted) {
        const started = performance.now();
        const stepped = this.options.service.step(frame.body as RequestFrame<'step'>['body'], this);
        const respond = (body: Awaited<typeof stepped>): void => {
          this.sendBytes(encodeFrame({ id, ok: true, body }));
          this.options.metrics.recordStep(body.rewards.data.length, (performance.now() - started) / 1000);
        };
        if (stepped instanceof Promise) return this.later(id, stepped.then(respond));
        respond(stepped);
        return;
      }
      const body = this.dispatch(frame);
      if (body instanceof Promise) return this.later(id, body.then((later) => this.sendBytes(encodeFrame({ id, ok: true, body: later }))));
      this.sendBytes(encodeFrame({ id, ok: true, body }));
    } catch (error) {
      if (error instanceof VinegymError && error.requestId !== undefined) id = error.requestId;
      this.sendError(id, error);
    }
  }

  /** `sent`, with a failure answered as an error frame for request `id`. */
  private later(id: number, sent: Promise<void>): Promise<void> {
    return sent.catch((error: unknown) => this.sendError(id, error));
  }

  /** Handles every request type but step (which has its own fast path above). */
  private dispatch(frame: RequestFrame): object | Promise<object> {
    const { service } = this.options;
    if (frame.type === 'hello') return this.hello(frame.body as HelloRequest);
    if (!this.greeted) throw new VinegymError('BAD_REQUEST', `send hello before ${frame.type}`);
    switch (frame.type) {
      case 'list':
        return service.list();
      case 'make':
        return service.make(frame.body as RequestFrame<'make'>['body'], this);
      case 'reset':
        return service.reset(frame.body as RequestFrame<'reset'>['body'], this);
      case 'snapshot':
        return service.snapshot(frame.body as RequestFrame<'snapshot'>['body'], this);
      case 'restore':
        return service.restore(frame.body as RequestFrame<'restore'>['body'], this);
      case 'render':
        return service.render(frame.body as RequestFrame<'render'>['body'], this);
      case 'close':
        return service.close(frame.body as RequestFrame<'close'>['body'], this);
      default:
        throw new VinegymError('BAD_REQUEST', `unexpected request type ${frame.type}`);
    }
  }

  private hello(body: HelloRequest): HelloResult {
    if (this.greeted) throw new VinegymError('BAD_REQUEST', 'hello was already done on this connection');
    if (!body.protocol_versions.includes(PROTOCOL_VERSION)) {
      throw new VinegymError('UNSUPPORTED_VERSION', `this server speaks protocol version ${PROTOCOL_VERSION} only`, {
        supported: [PROTOCOL_VERSION],
      });
    }
    const { tokenHash } = this.options;
    if (tokenHash !== undefined) {
      const given = createHash('sha256').update(body.token ?? '').digest();
      if (body.token === undefined || !timingSafeEqual(given, tokenHash)) {
        // The error frame goes out first; ws sends the close frame after it, so the client can read why.
        setImmediate(() => this.close(CLOSE_CODES.unauthorized, 'unauthorized'));
        throw new VinegymError('UNAUTHORIZED', body.token === undefined ? 'a token is required' : 'wrong token');
      }
    }
    this.greeted = true;
    return this.options.helloResult;
  }

  private sendError(id: number | null, error: unknown): void {
    const wire = toWireError(error);
    if (wire.code === 'INTERNAL') this.options.log.error({ reqId: id, err: error }, 'internal error while handling a request');
    else this.options.log.warn({ reqId: id, code: wire.code }, wire.message);
    this.options.metrics.recordError(wire.code);
    this.sendBytes(encodeFrame({ id, ok: false, error: wire }));
  }

  private sendBytes(bytes: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.unwritten++;
    this.socket.send(bytes, { binary: true }, this.onWritten);
    if (!this.socket.isPaused && this.overloaded(1)) {
      this.socket.pause();
      this.options.log.debug({ unwritten: this.unwritten, buffered: this.socket.bufferedAmount }, 'client not reading: pausing');
    }
  }

  /** Whether the unwritten backlog is at `fraction` of a limit or above. */
  private overloaded(fraction: number): boolean {
    const { maxInFlight, maxBufferedBytes } = this.options.limits;
    return this.unwritten >= maxInFlight * fraction || this.socket.bufferedAmount >= maxBufferedBytes * fraction;
  }
}

/** ws hands over a Buffer, an ArrayBuffer or fragments depending on binaryType; the server uses 'nodebuffer'. */
function asBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
