/**
 * One client WebSocket: the hello handshake, then requests answered in arrival order with the same id, and
 * keep-alive pings. Every failure is answered with a typed error frame and fails only its own request; the
 * socket is closed only for a refused hello, an oversized or unfinished frame, unanswered pings, idleness and a
 * missing hello.
 *
 * Work is bounded before anything is built: every frame is scanned against a decode budget (a smaller one until
 * hello succeeds) before it is decoded. Work is shared: a connection handles its requests for at most a slice of
 * each event-loop turn (a smaller one until hello succeeds) and is not read while the rest waits. Backpressure: when too many responses are still unwritten (the client does
 * not read), the connection stops handling the requests it has received (they wait in order) and stops reading,
 * until half the backlog has drained, so a client that does not read cannot grow the server's memory beyond
 * about max_buffered_bytes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import {
  PROTOCOL_VERSION,
  VinegymError,
  decodeFrame,
  encodeFrame,
  encodeFrameInto,
  isPongFrame,
  parseRequestFrame,
  rejection,
  toWireError,
} from '@vinegym/protocol';
import type { DecodeBudget, HelloRequest, HelloResult, RequestFrame } from '@vinegym/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { TokenBackoff } from './guards/token-backoff.js';
import { HANDLER_SLICE_MS, InOrderQueue } from './in-order-queue.js';
import type { ServerLimits } from './limits.js';
import type { ServerMetrics } from './metrics.js';
import type { EnvService } from './service.js';

/** WebSocket close codes the server uses (PROTOCOL.md section 2). */
export const CLOSE_CODES = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** hello carried a missing or wrong token (sent after the UNAUTHORIZED error frame). */
  unauthorized: 1008,
  /** A frame was larger than the message limit (no error frame can be sent). */
  messageTooBig: 1009,
  /** The server already has max_connections connections (sent after a LIMIT_EXCEEDED error frame). */
  tryAgainLater: 1013,
  /** A ping went unanswered for ping_timeout_s with nothing else arriving. */
  pingTimeout: 4000,
  /** No request for idle_timeout_s, or no hello within hello_timeout_s. */
  idleTimeout: 4001,
  /** A message did not arrive completely within message_timeout_s of its first byte. */
  messageTimeout: 4002,
} as const;

/** How long a dropped connection keeps its socket for the close frame to go out. */
const DROP_GRACE_MS = 1000;
/**
 * Error responses per connection logged at warn; later ones at debug. Logging is a synchronous write when stderr
 * is a pipe, so a client that makes errors at full speed must not be able to make the server log at full speed.
 */
const MAX_WARNED_ERRORS = 20;
/** Handler time per event-loop turn of a connection before hello: a peer without the token gets the least. */
const SLICE_BEFORE_HELLO_MS = 0.5;

export type ConnectionLimits = Pick<
  ServerLimits,
  | 'maxInFlight'
  | 'maxBufferedBytes'
  | 'idleTimeoutMs'
  | 'helloTimeoutMs'
  | 'maxMessageBytesBeforeHello'
  | 'maxFrameValues'
  | 'maxFrameContainers'
  | 'maxFrameDepth'
  | 'maxStringBytes'
  | 'maxFrameValuesBeforeHello'
  | 'maxFrameContainersBeforeHello'
  | 'maxFrameDepthBeforeHello'
  | 'maxStringBytesBeforeHello'
  | 'pingTimeoutMs'
>;

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
  /** The peer's address (token back-off is per address). */
  remoteAddress?: string;
  /** Failed-token bookkeeping shared by the server's connections; undefined: no back-off. */
  tokenBackoff?: TokenBackoff;
  /**
   * Called when hello is about to succeed: false refuses it (max_connections reached); true makes the connection
   * count as authenticated from then on.
   */
  admit?: () => boolean;
  /**
   * The TCP socket under the WebSocket: responses made in one go (the requests of one read, or one slice of queued
   * ones) are written with one system call instead of one each.
   */
  transport?: Pick<Duplex, 'cork' | 'uncork'>;
}

/** The decode budget of a frame (PROTOCOL.md 9.1), before or after hello. */
function budgets(limits: ConnectionLimits): { before: DecodeBudget; after: DecodeBudget } {
  return {
    before: {
      maxValues: limits.maxFrameValuesBeforeHello,
      maxContainers: limits.maxFrameContainersBeforeHello,
      maxDepth: limits.maxFrameDepthBeforeHello,
      maxStringBytes: limits.maxStringBytesBeforeHello,
      names: {
        values: 'max_frame_values_before_hello',
        containers: 'max_frame_containers_before_hello',
        depth: 'max_frame_depth_before_hello',
        stringBytes: 'max_string_bytes_before_hello',
      },
    },
    after: {
      maxValues: limits.maxFrameValues,
      maxContainers: limits.maxFrameContainers,
      maxDepth: limits.maxFrameDepth,
      maxStringBytes: limits.maxStringBytes,
    },
  };
}

export class Connection {
  private greeted = false;
  /** A hello was refused (UNAUTHORIZED, max_connections) or the server is shutting down: frames are dropped. */
  private deaf = false;
  /** Something other than a pong arrived since the last ping tick. */
  private active = true;
  private unansweredPings = 0;
  /** When the oldest unanswered ping went out (or, before hello, the first silent tick); null: none. */
  private unansweredSince: number | null = null;
  private nextPingNonce = 1;
  private readonly openedAt = performance.now();
  private lastRequestAt = this.openedAt;
  /** Responses handed to ws whose write has not completed yet. */
  private unwritten = 0;
  /** Bytes of received requests waiting in the queue. */
  private queuedBytes = 0;
  /** Requests handled on this connection (for the close log line). */
  requests = 0;
  /** Error responses sent on this connection (for the close log line). */
  errors = 0;
  private readonly debug: boolean;
  /** Writes are held until the end of the current callback (corkUntilTick). */
  private corked = false;
  /**
   * The buffer step responses are encoded into, while no write of one is pending (null while it is): a step of
   * raw Atari frames is hundreds of KB, and a new buffer per step made the server's GC run full collections.
   */
  private stepFrameBuffer: Uint8Array | null = new Uint8Array(0);
  private readonly budget: DecodeBudget;
  private readonly budgetBeforeHello: DecodeBudget;
  private readonly queue: InOrderQueue<RawData>;
  private readonly onWritten = (): void => {
    this.unwritten--;
    if (!this.responsesBacklogged(0.5)) this.queue.pump();
    this.resumeIfDrained();
  };

  constructor(
    private readonly socket: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.debug = options.log.level === 'debug' || options.log.level === 'trace';
    const { before, after } = budgets(options.limits);
    this.budget = after;
    this.budgetBeforeHello = before;
    // Sessions on worker threads answer asynchronously: the queue keeps responses in request order. Its gate stops
    // handling requests while the client does not read the responses already made.
    this.queue = new InOrderQueue<RawData>(
      (data) => {
        this.queuedBytes -= byteLength(data);
        return this.onMessage(data);
      },
      () => !this.responsesBacklogged(1),
      (yielding) => (yielding ? this.pauseReading('handler slice spent') : this.resumeIfDrained()),
    );
    this.queue.sliceMs = SLICE_BEFORE_HELLO_MS;
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
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
   * Called every ping interval by the server: pings a connection that received nothing but pongs since the last
   * tick, and closes it once a ping has gone unanswered for the ping timeout with nothing else arriving. Any other
   * frame, and the pong of an unanswered ping, shows the client alive. The timeout is long because a client whose
   * event loop is busy (a long policy update) answers its pings only when it gets back to them.
   */
  pingTick(now: number = performance.now()): void {
    if (this.active) {
      this.active = false;
      this.answered();
      return;
    }
    const { pingTimeoutMs } = this.options.limits;
    if (this.unansweredSince !== null && pingTimeoutMs > 0 && now - this.unansweredSince >= pingTimeoutMs) {
      this.options.log.info(
        'closing connection: %d pings unanswered for %d ms',
        this.unansweredPings,
        Math.round(now - this.unansweredSince),
      );
      this.close(CLOSE_CODES.pingTimeout, 'ping timeout');
      return;
    }
    this.unansweredSince ??= now;
    this.unansweredPings++;
    // Pings only follow hello (the protocol says so); a silent connection without hello is closed all the same.
    if (this.greeted) this.sendBytes(encodeFrame({ type: 'ping', nonce: this.nextPingNonce++ }));
  }

  /** The client is alive: no ping is waiting for its answer. */
  private answered(): void {
    this.unansweredPings = 0;
    this.unansweredSince = null;
  }

  /**
   * Shutdown: frames that arrive from now on are dropped unanswered and unexecuted; resolves once every request
   * received before has been answered, or after `graceMs` (a client that does not read its responses), when the
   * requests still waiting are dropped unexecuted.
   */
  async finish(graceMs: number): Promise<void> {
    this.deaf = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const outcome = await Promise.race([this.queue.idle(), late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      const dropped = this.queue.discard();
      this.options.log.warn({ dropped }, 'client did not read its responses: dropping the requests still waiting');
    }
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.deaf || this.socket.readyState !== this.socket.OPEN) return;
    const bytes = byteLength(data);
    if (!this.greeted && bytes > this.options.limits.maxMessageBytesBeforeHello) {
      // The guard below ws catches most of these while they arrive; a message that came in one read ends here.
      this.options.metrics.recordRefusal('message_too_big');
      this.dropAfterQueued(CLOSE_CODES.messageTooBig, 'message too big before hello');
      return;
    }
    if (!isBinary) {
      // Text frames are answered without being queued as data: mark them with a zero-length view (below).
      this.queue.push(TEXT_FRAME);
    } else {
      this.queuedBytes += bytes;
      this.queue.push(data);
    }
    if (!this.socket.isPaused && (this.responsesBacklogged(1) || this.requestsBacklogged(1))) {
      this.socket.pause();
      this.options.log.debug({ unwritten: this.unwritten, queued: this.queue.backlog }, 'client not reading: pausing');
    }
  }

  /** Handles one message; returns a promise when the answer comes later (a session on worker threads). */
  private onMessage(data: RawData): Promise<void> | void {
    const { metrics } = this.options;
    if (data === TEXT_FRAME) {
      this.countActivity();
      metrics.recordRequest('invalid');
      this.sendError(null, rejection('BAD_REQUEST', 'text frames are not accepted: send MessagePack in binary frames'));
      return;
    }
    let id: number | null = null;
    let frame: RequestFrame | undefined;
    let counted = false;
    try {
      const decoded = decodeFrame(asBytes(data), this.greeted ? this.budget : this.budgetBeforeHello);
      if (isPongFrame(decoded)) {
        this.onPong(decoded.nonce);
        return;
      }
      this.countActivity();
      counted = true;
      frame = parseRequestFrame(decoded);
      id = frame.id;
      metrics.recordRequest(frame.type);
      if (this.debug) this.options.log.debug({ reqId: id, type: frame.type }, 'request');
      if (frame.type === 'step' && this.greeted) {
        const started = performance.now();
        // Transient: the result is encoded (copied) before anything else can step this session.
        const stepped = this.options.service.step(frame.body as RequestFrame<'step'>['body'], this, true);
        const respond = (body: Awaited<typeof stepped>): void => {
          this.sendStepResponse({ id, ok: true, body });
          metrics.recordStep(body.rewards.data.length, (performance.now() - started) / 1000);
        };
        if (stepped instanceof Promise) return this.later(id, stepped.then(respond));
        respond(stepped);
        return;
      }
      const body = this.dispatch(frame);
      if (body instanceof Promise)
        return this.later(
          id,
          body.then((later) => this.sendBytes(encodeFrame({ id, ok: true, body: later }))),
        );
      this.sendBytes(encodeFrame({ id, ok: true, body }));
    } catch (error) {
      if (!counted) this.countActivity();
      if (frame === undefined) metrics.recordRequest('invalid');
      if (error instanceof VinegymError && error.requestId !== undefined) id = error.requestId;
      this.sendError(id, error);
    }
  }

  /** A frame other than a pong arrived: the connection is not idle. */
  private countActivity(): void {
    this.requests++;
    this.active = true;
    this.lastRequestAt = performance.now();
  }

  /** A pong counts only for a ping that is still unanswered (PROTOCOL.md 4); anything else is ignored. */
  private onPong(nonce: number): void {
    const lastSent = this.nextPingNonce - 1;
    if (this.unansweredPings > 0 && nonce <= lastSent && nonce > lastSent - this.unansweredPings) this.answered();
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
    const { tokenHash, tokenBackoff, remoteAddress, metrics } = this.options;
    if (tokenHash !== undefined) {
      const waitMs = tokenBackoff?.retryAfterMs(remoteAddress) ?? 0;
      if (waitMs > 0) {
        metrics.recordRefusal('token_backoff');
        const retryAfterS = Math.ceil(waitMs / 100) / 10;
        throw this.refuse(
          new VinegymError('UNAUTHORIZED', `too many failed tokens from this address: retry in ${retryAfterS} s`, {
            retry_after_s: retryAfterS,
          }),
          CLOSE_CODES.unauthorized,
        );
      }
      const given = createHash('sha256')
        .update(body.token ?? '')
        .digest();
      if (body.token === undefined || !timingSafeEqual(given, tokenHash)) {
        tokenBackoff?.recordFailure(remoteAddress);
        metrics.recordRefusal('unauthorized');
        throw this.refuse(
          new VinegymError('UNAUTHORIZED', body.token === undefined ? 'a token is required' : 'wrong token'),
          CLOSE_CODES.unauthorized,
        );
      }
    }
    if (this.options.admit && !this.options.admit()) {
      metrics.recordRefusal('max_connections');
      const max = this.options.helloResult.limits.max_connections ?? 0;
      throw this.refuse(
        new VinegymError('LIMIT_EXCEEDED', `the server already has ${max} connections`, {
          limit: 'max_connections',
          max,
        }),
        CLOSE_CODES.tryAgainLater,
      );
    }
    this.greeted = true;
    this.queue.sliceMs = HANDLER_SLICE_MS;
    this.answered();
    return this.options.helloResult;
  }

  /** A refused hello: the error is answered, then the connection closes and nothing behind it is handled. */
  private refuse(error: VinegymError, code: number): VinegymError {
    this.deaf = true;
    this.queue.discard();
    // The error frame goes out first; ws sends the close frame after it, so the client can read why. Reading goes on
    // (the limits before hello still apply), so the peer's closing handshake completes at once; a peer that does not
    // complete it is cut after a short grace instead of ws's 30 s.
    setImmediate(() =>
      this.dropConnection(code, code === CLOSE_CODES.unauthorized ? 'unauthorized' : 'too many connections', false),
    );
    return error;
  }

  /**
   * For a message that breaks a limit (too big, too slow): stops reading at once, answers the requests received
   * before it (for at most DROP_GRACE_MS: they were sent first, and pipelining keeps their order), then drops the
   * connection with `code`.
   */
  dropAfterQueued(code: number, reason: string): void {
    if (this.deaf) return;
    this.deaf = true;
    this.socket.pause();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, DROP_GRACE_MS)));
    void Promise.race([this.queue.idle(), late]).then(() => {
      clearTimeout(timer);
      this.dropConnection(code, reason);
    });
  }

  /**
   * Closes with `code`, handles nothing more, and cuts the socket after a short grace that lets the close frame go
   * out. With `stopReading` (an oversized or unfinished message) it also stops reading at once: ws would otherwise
   * keep buffering what the peer sends until its close frame, which may never come.
   */
  dropConnection(code: number, reason: string, stopReading = true): void {
    if (this.deaf && this.socket.readyState !== this.socket.OPEN) return;
    this.deaf = true;
    this.queue.discard();
    this.close(code, reason);
    if (stopReading) this.socket.pause();
    setTimeout(() => this.socket.terminate(), DROP_GRACE_MS).unref();
  }

  private sendError(id: number | null, error: unknown): void {
    const wire = toWireError(error);
    const { log } = this.options;
    this.errors++;
    if (wire.code === 'INTERNAL') log.error({ reqId: id, err: error }, 'internal error while handling a request');
    else if (this.errors <= MAX_WARNED_ERRORS) {
      log.warn({ reqId: id, code: wire.code }, wire.message);
      if (this.errors === MAX_WARNED_ERRORS)
        log.warn('%d errors on this connection: logging further ones at debug', MAX_WARNED_ERRORS);
    } else if (this.debug) log.debug({ reqId: id, code: wire.code }, wire.message);
    this.options.metrics.recordError(wire.code);
    this.sendBytes(encodeFrame({ id, ok: false, error: wire }));
  }

  /** Encodes a step response into the reused buffer when it is free (a new one otherwise) and sends it. */
  private sendStepResponse(frame: object): void {
    const target = this.stepFrameBuffer ?? new Uint8Array(0);
    this.stepFrameBuffer = null;
    const bytes = encodeFrameInto(frame, target);
    this.sendBytes(bytes, () => (this.stepFrameBuffer = new Uint8Array(bytes.buffer)));
  }

  /** Sends one frame; `written` is called once ws has written it (or given up), when its bytes may be reused. */
  private sendBytes(bytes: Uint8Array, written?: () => void): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.unwritten++;
    this.corkUntilTick();
    const done =
      written === undefined
        ? this.onWritten
        : () => {
            written();
            this.onWritten();
          };
    this.socket.send(bytes, { binary: true }, done);
    if (!this.socket.isPaused && this.responsesBacklogged(1)) {
      this.socket.pause();
      this.options.log.debug(
        { unwritten: this.unwritten, buffered: this.socket.bufferedAmount },
        'client not reading: pausing',
      );
    }
  }

  /** Stops reading the socket (ws still delivers the rest of the read in hand); resumeIfDrained() reads again. */
  private pauseReading(why: string): void {
    if (this.socket.isPaused) return;
    this.socket.pause();
    this.options.log.debug({ unwritten: this.unwritten, queued: this.queue.backlog }, why);
  }

  /** Holds writes until the current callback has returned, then sends them together. */
  private corkUntilTick(): void {
    const { transport } = this.options;
    if (transport === undefined || this.corked) return;
    this.corked = true;
    transport.cork();
    process.nextTick(() => {
      this.corked = false;
      transport.uncork();
    });
  }

  /** Reads again once both backlogs are down to half. */
  private resumeIfDrained(): void {
    if (
      this.socket.isPaused &&
      !this.deaf &&
      !this.queue.yielding &&
      !this.responsesBacklogged(0.5) &&
      !this.requestsBacklogged(0.5)
    ) {
      this.socket.resume();
      this.options.log.debug({ unwritten: this.unwritten }, 'backlog drained, reading again');
    }
  }

  /** Whether unwritten responses are at `fraction` of a limit or above: requests wait while they are. */
  private responsesBacklogged(fraction: number): boolean {
    const { maxInFlight, maxBufferedBytes } = this.options.limits;
    return this.unwritten >= maxInFlight * fraction || this.socket.bufferedAmount >= maxBufferedBytes * fraction;
  }

  /** Whether received requests waiting to be handled are at `fraction` of a limit or above. */
  private requestsBacklogged(fraction: number): boolean {
    const { maxInFlight, maxBufferedBytes } = this.options.limits;
    return this.queue.backlog >= maxInFlight * fraction || this.queuedBytes >= maxBufferedBytes * fraction;
  }
}

/** Stands for a text frame in the queue (its content is never looked at). */
const TEXT_FRAME: RawData = Buffer.alloc(0);

/** ws hands over a Buffer, an ArrayBuffer or fragments depending on binaryType; the server uses 'nodebuffer'. */
function asBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.byteLength, 0);
  return data.byteLength;
}
