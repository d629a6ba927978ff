/**
 * One client WebSocket: the hello handshake, then requests answered in arrival order with the same id, and
 * keep-alive pings. Every failure is answered with a typed error frame and fails only its own request; the
 * socket is closed only for a wrong token, an oversized frame (by ws) and unanswered pings.
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

/** WebSocket close codes the server uses. */
export const CLOSE_CODES = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** hello carried a missing or wrong token (sent after the UNAUTHORIZED error frame). */
  unauthorized: 1008,
  /** A frame was larger than max_message_bytes (ws closes the socket itself; no error frame can be sent). */
  messageTooBig: 1009,
  /** Two consecutive pings went unanswered. */
  pingTimeout: 4000,
} as const;

/** Unanswered pings after which the connection is closed. */
const MAX_UNANSWERED_PINGS = 2;

export interface ConnectionOptions {
  service: EnvService;
  metrics: ServerMetrics;
  /** The hello answer (identical for every connection). */
  helloResult: HelloResult;
  /** SHA-256 of the expected token; undefined: no token required. */
  tokenHash: Buffer | undefined;
  log: FastifyBaseLogger;
}

export class Connection {
  private greeted = false;
  /** Something other than a pong arrived since the last ping tick. */
  private active = true;
  private unansweredPings = 0;
  private nextPingNonce = 1;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
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

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!isBinary) {
      this.active = true;
      this.sendError(null, new VinegymError('BAD_REQUEST', 'text frames are not accepted: send MessagePack in binary frames'));
      return;
    }
    let id: number | null = null;
    try {
      const decoded = decodeFrame(asBytes(data));
      if (isPongFrame(decoded)) {
        this.unansweredPings = 0;
        return;
      }
      this.active = true;
      const frame = parseRequestFrame(decoded);
      id = frame.id;
      if (frame.type === 'step' && this.greeted) {
        const started = performance.now();
        const body = this.options.service.step(frame.body as RequestFrame<'step'>['body'], this);
        this.sendBytes(encodeFrame({ id, ok: true, body }));
        this.options.metrics.recordStep(body.rewards.data.length, (performance.now() - started) / 1000);
        return;
      }
      this.sendBytes(encodeFrame({ id, ok: true, body: this.dispatch(frame) }));
    } catch (error) {
      if (error instanceof VinegymError && error.requestId !== undefined) id = error.requestId;
      this.sendError(id, error);
    }
  }

  /** Handles every request type but step (which has its own fast path above). */
  private dispatch(frame: RequestFrame): object {
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
    if (wire.code === 'INTERNAL') this.options.log.error({ err: error }, 'internal error while handling a request');
    this.options.metrics.recordError(wire.code);
    this.sendBytes(encodeFrame({ id, ok: false, error: wire }));
  }

  private sendBytes(bytes: Uint8Array): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(bytes, { binary: true });
  }
}

/** ws hands over a Buffer, an ArrayBuffer or fragments depending on binaryType; the server uses 'nodebuffer'. */
function asBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
