/**
 * The network server: a fastify HTTP(S) server (health, env list, Prometheus metrics) whose `upgrade` requests on
 * /v1/ws become vinegym protocol connections handled by `ws`. All env work goes through one EnvService.
 * Every limit (limits.ts) has a safe default and is reported in hello. Peers that have not completed hello are
 * held to smaller limits: their own connection pool, a hello deadline, a small message size and decode budget, and
 * back-off after failed tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION, encodeFrame } from '@vinegym/protocol';
import type { HelloResult } from '@vinegym/protocol';
import { CLOSE_CODES, Connection } from './connection.js';
import { IncomingGuard } from './guards/incoming-guard.js';
import { PendingSocketPool } from './guards/socket-pool.js';
import { TokenBackoff } from './guards/token-backoff.js';
import { helloLimits, resolveLimits } from './limits.js';
import type { ServerLimits } from './limits.js';
import { ServerMetrics } from './metrics.js';
import type { EnvRegistry } from './registry.js';
import { createDefaultRegistry } from './registry.js';
import { mujocoHeapBytes } from './envs/mujoco/runtime.js';
import { EnvService } from './service.js';
import { registerViewerRoutes } from './viewer/routes.js';
import type { FrameSampler } from './viewer/sampler.js';
import type { RenderResult } from '@vinegym/protocol';

export const WS_PATH = '/v1/ws';
export const DEFAULT_PORT = 8765;
/** What hello reports the server can do. */
export const SERVER_CAPABILITIES = [
  'snapshot',
  'render',
  'render:scene',
  'autoreset:next_step',
  'autoreset:same_step',
  'autoreset:disabled',
];
/** How long close() waits for clients to finish the closing handshake before cutting their sockets. */
const CLOSE_GRACE_MS = 1000;
/** How long close() waits for a connection's received requests to be answered (a client that does not read). */
const SHUTDOWN_DRAIN_MS = 5000;
/** HTTP: headers and body of a request must arrive within this time; idle keep-alive sockets close after 5 s. */
export const HTTP_TIMEOUTS = { requestMs: 10_000, keepAliveMs: 5000, checkIntervalMs: 1000 } as const;

/** PEM cert and key for serving https/wss (node:tls options). */
export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
}

/**
 * Server options. Every limit (max_*, timeouts, decode budgets) is a field of ServerLimits; its default, CLI flag
 * and hello entry are in LIMIT_SPECS (limits.ts), the one place they are written.
 */
export interface ServerOptions extends Partial<ServerLimits> {
  /** Interface to listen on. Default '127.0.0.1' (loopback only). */
  host?: string;
  /** TCP port; 0 picks a free one (read it from `port` / `url`). Default 8765. */
  port?: number;
  /** Shared secret clients must send in hello. Default undefined: no token required. */
  token?: string;
  /** Serve https and wss with this certificate. Default undefined: plain http and ws. */
  tls?: TlsOptions;
  /**
   * Worker threads each session of a `parallel` env (MuJoCo, Atari) steps its envs on; 0: all in-process. Default: one
   * per core (DEFAULT_WORKERS). Cheap envs (CartPole) always step in-process. See session-factory.ts.
   */
  workers?: number;
  /**
   * Directory whose regular files clients may name as mujoco/custom-v0's `xml_path`. Default undefined: xml_path is
   * refused. See model-files.ts.
   */
  modelDir?: string;
  /** Envs to serve. Default: createDefaultRegistry(). */
  registry?: EnvRegistry;
  /** fastify's logger option. Default false (silent); the CLI passes a level and stderr. */
  logger?: FastifyServerOptions['logger'];
  /**
   * Serve the viewer (GET /viewer and the token-protected /v1/sessions endpoints, docs/viewer.md). Default true.
   * Viewers need the server's token; a server without one makes up a random viewer token (see `viewerUrl`).
   */
  viewer?: boolean;
  /** Reported in hello. Defaults 'vinegym-env-server' and this package's version (package.json). */
  serverName?: string;
  serverVersion?: string;
}

export interface VinegymServer {
  /** ws://host:port/v1/ws (wss:// with TLS) */
  url: string;
  /** http://host:port (https:// with TLS) */
  httpUrl: string;
  port: number;
  service: EnvService;
  metrics: ServerMetrics;
  /** The viewer page with the token in the URL fragment (never sent to the server), or undefined without a viewer. */
  viewerUrl: string | undefined;
  /** How often the viewer sampled sessions, for tests and metrics; undefined without a viewer. */
  viewerSampler: FrameSampler<RenderResult> | undefined;
  /** The limits in effect (options completed with LIMIT_SPECS' defaults). */
  limits: Readonly<ServerLimits>;
  /** Open WebSocket connections. */
  readonly connections: number;
  /**
   * Graceful shutdown (PROTOCOL.md 6.1): stops accepting connections (upgrades get 503) and frames (later ones are
   * dropped unexecuted), lets every request already received finish and its response go out (a client that does not
   * read gets SHUTDOWN_DRAIN_MS), closes every connection (code 1001) and session, then the listener. Idempotent.
   */
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions = {}): Promise<VinegymServer> {
  const host = options.host ?? '127.0.0.1';
  const limits = resolveLimits(options);
  const service = new EnvService({
    registry: options.registry ?? createDefaultRegistry(),
    limits,
    serverName: options.serverName,
    serverVersion: options.serverVersion,
    workers: options.workers,
    modelDir: options.modelDir,
    mjcf: limits,
  });
  const helloResult: HelloResult = {
    protocol_version: PROTOCOL_VERSION,
    server: { name: service.serverName, version: service.serverVersion },
    capabilities: SERVER_CAPABILITIES,
    limits: helloLimits(limits),
    ping_interval_s: limits.pingIntervalMs / 1000,
  };
  const tokenHash = options.token === undefined ? undefined : createHash('sha256').update(options.token).digest();
  const tokenBackoff = new TokenBackoff();

  // Slow or silent HTTP peers are cut by node's own timers (checked every second, not every 30 s).
  const http = { connectionsCheckingInterval: HTTP_TIMEOUTS.checkIntervalMs, headersTimeout: HTTP_TIMEOUTS.requestMs };
  const fastifyOptions = {
    logger: options.logger ?? false,
    requestTimeout: HTTP_TIMEOUTS.requestMs,
    keepAliveTimeout: HTTP_TIMEOUTS.keepAliveMs,
  };
  // The https variant of fastify has another server type; the routes and the upgrade hook are the same.
  const app = (options.tls
    ? Fastify({ ...fastifyOptions, https: { ...options.tls, ...http } })
    : Fastify({ ...fastifyOptions, http })) as unknown as FastifyInstance;
  const connections = new Map<WebSocket, { connection: Connection; guard: IncomingGuard }>();
  let authenticated = 0;
  let nextConnectionId = 1;
  let shuttingDown = false;
  const metrics = new ServerMetrics(() => {
    const { sessions, envs, workerThreads, sessionMemoryBytes } = service.stats();
    return {
      connections: connections.size,
      sessions,
      envs,
      workerThreads,
      sessionMemoryBytes,
      mujocoHeapBytes: mujocoHeapBytes() ?? 0,
    };
  });

  app.get('/healthz', async (_request, reply) => {
    if (shuttingDown) reply.code(503);
    return { status: shuttingDown ? 'shutting_down' : 'ok' };
  });
  app.get('/v1/envs', async () => service.list());
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.render();
  });

  const viewerToken = options.token ?? randomBytes(18).toString('base64url');
  const viewerSampler =
    options.viewer === false ? undefined : registerViewerRoutes(app, { service, token: viewerToken, tokenBackoff });

  // Every TCP connection starts in the pool of connections without hello; it leaves it when hello succeeds.
  const pending = new PendingSocketPool(limits.maxPendingConnections, () => metrics.recordRefusal('pending_pool_full'));
  app.server.on('connection', (socket: Socket) => pending.admit(socket));

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  app.server.on('upgrade', (request, socket: Socket, head) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== WS_PATH || shuttingDown) {
      const status = shuttingDown ? '503 Service Unavailable' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    socket.on('error', () => undefined); // a reset during the handshake must not crash the server
    wss.handleUpgrade(request, socket, head, (ws) => {
      const conn = nextConnectionId++;
      const log = app.log.child({ conn });
      if (authenticated >= limits.maxConnections) {
        metrics.recordError('LIMIT_EXCEEDED');
        metrics.recordRefusal('max_connections');
        log.warn(
          'refusing connection from %s: max_connections %d reached',
          request.socket.remoteAddress,
          limits.maxConnections,
        );
        const error = {
          code: 'LIMIT_EXCEEDED',
          message: `the server already has ${limits.maxConnections} connections`,
          details: { limit: 'max_connections', max: limits.maxConnections },
        } as const;
        ws.on('error', () => undefined);
        ws.send(encodeFrame({ id: null, ok: false, error }), { binary: true });
        ws.close(CLOSE_CODES.tryAgainLater, 'too many connections');
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
        return;
      }
      let counted = false;
      const connection: Connection = new Connection(ws, {
        service,
        metrics,
        helloResult,
        tokenHash,
        limits,
        log,
        remoteAddress: request.socket.remoteAddress,
        tokenBackoff,
        transport: socket,
        admit: () => {
          if (authenticated >= limits.maxConnections) return false;
          authenticated++;
          counted = true;
          pending.promote(socket);
          guard.maxMessageBytes = Infinity; // from now on ws's maxPayload (max_message_bytes) applies
          return true;
        },
      });
      const guard: IncomingGuard = new IncomingGuard(
        socket,
        ws,
        limits.maxMessageBytesBeforeHello,
        limits.messageTimeoutMs,
        (violation) => {
          const tooBig = violation === 'too_big';
          metrics.recordRefusal(tooBig ? 'message_too_big' : 'message_timeout');
          log.warn(
            tooBig
              ? 'closing connection: message over %d bytes before hello'
              : 'closing connection: message unfinished after %d ms',
            tooBig ? limits.maxMessageBytesBeforeHello : limits.messageTimeoutMs,
          );
          connection.dropAfterQueued(
            tooBig ? CLOSE_CODES.messageTooBig : CLOSE_CODES.messageTimeout,
            tooBig ? 'message too big' : 'message timeout',
          );
        },
      );
      connections.set(ws, { connection, guard });
      log.info('connection opened from %s', request.socket.remoteAddress);
      ws.on('error', (error: Error & { code?: string }) => {
        // ws has already closed the socket (1009 for an oversized frame); record why.
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
          metrics.recordError('LIMIT_EXCEEDED');
          metrics.recordRefusal('message_too_big');
        }
        log.warn({ err: error }, 'websocket error');
      });
      ws.on('close', (code) => {
        connections.delete(ws);
        if (counted) authenticated--;
        const sessions = service.stats().sessions;
        service.closeAllOwnedBy(connection);
        log.info(
          {
            code,
            requests: connection.requests,
            errors: connection.errors,
            sessionsClosed: sessions - service.stats().sessions,
          },
          'connection closed',
        );
      });
    });
  });

  const pingTimer =
    limits.pingIntervalMs > 0
      ? setInterval(() => {
          for (const { connection } of connections.values()) connection.pingTick();
        }, limits.pingIntervalMs)
      : undefined;
  pingTimer?.unref();
  const timeouts = [limits.idleTimeoutMs, limits.helloTimeoutMs, limits.messageTimeoutMs].filter((ms) => ms > 0);
  const sweepMs = Math.max(50, Math.min(1000, ...timeouts.map((ms) => ms / 4)));
  const sweepTimer = setInterval(() => {
    const now = performance.now();
    for (const { connection, guard } of connections.values()) {
      if (!connection.sweep(now)) guard.check(now);
    }
  }, sweepMs);
  sweepTimer.unref();

  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const { port } = app.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    shuttingDown = true;
    clearInterval(pingTimer);
    clearInterval(sweepTimer);
    app.log.info({ connections: connections.size, sessions: service.stats().sessions }, 'shutting down');
    // Compiles of client MJCF stop at once (their makes fail). From here on frames are dropped unexecuted; the
    // requests already received are answered first (sessions on worker threads answer asynchronously), unless the
    // client does not read them or a session's threads do not answer within the drain time: those are stopped below.
    service.mjcf.close();
    await Promise.all([...connections.values()].map(({ connection }) => connection.finish(SHUTDOWN_DRAIN_MS)));
    await Promise.all(
      [...connections.keys()].map(
        (ws) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(CLOSE_CODES.goingAway, 'server shutting down');
          }),
      ),
    );
    wss.close();
    await app.close();
  };

  const secure = options.tls ? 's' : '';
  return {
    url: `ws${secure}://${urlHost}:${port}${WS_PATH}`,
    httpUrl: `http${secure}://${urlHost}:${port}`,
    port,
    service,
    metrics,
    viewerUrl: viewerSampler && `http${secure}://${urlHost}:${port}/viewer#token=${encodeURIComponent(viewerToken)}`,
    viewerSampler,
    limits,
    get connections() {
      return connections.size;
    },
    close: () => (closing ??= close()),
  };
}
