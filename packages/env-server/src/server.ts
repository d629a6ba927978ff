/**
 * The network server: a fastify HTTP(S) server (health, env list, Prometheus metrics) whose `upgrade` requests on
 * /v1/ws become vinegym protocol connections handled by `ws`. All env work goes through one EnvService.
 * Limits (connections, sessions, envs, message and snapshot bytes, in-flight responses, idle time) have safe
 * defaults and are reported in hello.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION, encodeFrame } from '@vinegym/protocol';
import type { HelloResult } from '@vinegym/protocol';
import { CLOSE_CODES, Connection } from './connection.js';
import type { ConnectionLimits } from './connection.js';
import { ServerMetrics } from './metrics.js';
import type { EnvRegistry } from './registry.js';
import { createDefaultRegistry } from './registry.js';
import type { MjcfLimits } from './envs/mujoco/mjcf-sandbox.js';
import { EnvService } from './service.js';

export const WS_PATH = '/v1/ws';
export const DEFAULT_PORT = 8765;
/** What hello reports the server can do. */
export const SERVER_CAPABILITIES = ['snapshot', 'render', 'autoreset:next_step', 'autoreset:same_step', 'autoreset:disabled'];
/** How long close() waits for clients to finish the closing handshake before cutting their sockets. */
const CLOSE_GRACE_MS = 1000;
/**
 * How long close() waits for requests already received to be answered before it stops every session (worker
 * threads stuck in an env included), so that their requests fail and shutdown completes.
 */
const ANSWER_GRACE_MS = 10_000;

/** PEM cert and key for serving https/wss (node:tls options). */
export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
}

export interface ServerOptions {
  /** Interface to listen on. Default '127.0.0.1' (loopback only). */
  host?: string;
  /** TCP port; 0 picks a free one (read it from `port` / `url`). Default 8765. */
  port?: number;
  /** Shared secret clients must send in hello. Default undefined: no token required. */
  token?: string;
  /** Sessions per connection. Default 16. */
  maxSessions?: number;
  /** Sessions of all connections together. Default 4096. */
  maxTotalSessions?: number;
  /** Largest num_envs per session. Default 1024. */
  maxEnvsPerSession?: number;
  /** Largest incoming WebSocket message in bytes (ws `maxPayload`). Default 64 MiB. */
  maxMessageBytes?: number;
  /** Open WebSocket connections; one more gets LIMIT_EXCEEDED and close code 1013. Default 256. */
  maxConnections?: number;
  /** Largest snapshot `restore` accepts, in bytes. Default 16 MiB. */
  maxSnapshotBytes?: number;
  /** Unwritten responses per connection at which the server stops reading it (backpressure). Default 256. */
  maxInFlight?: number;
  /** Unwritten response bytes per connection at which the server stops reading it. Default 16 MiB. */
  maxBufferedBytes?: number;
  /** Close a connection (4001) after this many ms without a request; 0: never. Default 900000 (15 min). */
  idleTimeoutMs?: number;
  /** Close a connection (4001) that has not completed hello after this many ms; 0: never. Default 10000. */
  helloTimeoutMs?: number;
  /** Serve https and wss with this certificate. Default undefined: plain http and ws. */
  tls?: TlsOptions;
  /** Ping period on idle connections in ms; 0 disables pings. Default 30000. */
  pingIntervalMs?: number;
  /**
   * Worker threads each session of a `parallel` env (MuJoCo, Atari) steps its envs on; 0: all in-process. Default: one
   * per core (DEFAULT_WORKERS). Cheap envs (CartPole) always step in-process. See session-factory.ts.
   */
  workers?: number;
  /** Worker threads of all sessions together; a make needing more gets LIMIT_EXCEEDED. Default 32. */
  maxWorkerThreads?: number;
  /** Estimated memory of one connection's sessions, bytes (see session-budget.ts). Default 4 GiB. */
  maxSessionMemoryBytes?: number;
  /** Estimated memory of all sessions, bytes. Default 8 GiB. */
  maxTotalSessionMemoryBytes?: number;
  /**
   * Deadline of a call on a session's worker threads (step, reset, ...) in ms: past it the threads are stopped and
   * the session fails with ENV_ERROR. 0: none. Default 60000.
   */
  stepTimeoutMs?: number;
  /**
   * Directory whose regular files clients may name as mujoco/custom-v0's `xml_path`. Default undefined: xml_path is
   * refused. See model-files.ts.
   */
  modelDir?: string;
  /** Budgets for compiling client MJCF: size, time, memory, model size (see mjcf-sandbox.ts for the defaults). */
  mjcf?: Partial<MjcfLimits>;
  /** Envs to serve. Default: createDefaultRegistry(). */
  registry?: EnvRegistry;
  /** fastify's logger option. Default false (silent); the CLI passes a level and stderr. */
  logger?: FastifyServerOptions['logger'];
  /** Reported in hello. Defaults 'vinegym-env-server' and '0.1.0'. */
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
  /** Open WebSocket connections. */
  readonly connections: number;
  /**
   * Graceful shutdown: stops accepting connections (upgrades get 503), lets every request already received finish
   * and its response go out, closes every connection (code 1001) and session, then the listener. Idempotent.
   */
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions = {}): Promise<VinegymServer> {
  const host = options.host ?? '127.0.0.1';
  const maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
  const pingIntervalMs = options.pingIntervalMs ?? 30_000;
  const maxConnections = options.maxConnections ?? 256;
  const connectionLimits: ConnectionLimits = {
    maxInFlight: options.maxInFlight ?? 256,
    maxBufferedBytes: options.maxBufferedBytes ?? 16 * 1024 * 1024,
    idleTimeoutMs: options.idleTimeoutMs ?? 900_000,
    helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
  };
  const service = new EnvService({
    registry: options.registry ?? createDefaultRegistry(),
    limits: {
      maxSessions: options.maxSessions,
      maxTotalSessions: options.maxTotalSessions,
      maxEnvsPerSession: options.maxEnvsPerSession,
      maxSnapshotBytes: options.maxSnapshotBytes,
      maxWorkerThreads: options.maxWorkerThreads,
      maxSessionMemoryBytes: options.maxSessionMemoryBytes,
      maxTotalSessionMemoryBytes: options.maxTotalSessionMemoryBytes,
      stepTimeoutMs: options.stepTimeoutMs,
    },
    serverName: options.serverName,
    serverVersion: options.serverVersion,
    workers: options.workers,
    modelDir: options.modelDir,
    mjcf: options.mjcf,
  });
  const mjcfLimits = service.mjcf.limits;
  const metrics = new ServerMetrics();
  const helloResult: HelloResult = {
    protocol_version: PROTOCOL_VERSION,
    server: { name: service.serverName, version: service.serverVersion },
    capabilities: SERVER_CAPABILITIES,
    limits: {
      max_sessions: service.limits.maxSessions,
      max_envs_per_session: service.limits.maxEnvsPerSession,
      max_message_bytes: maxMessageBytes,
      max_connections: maxConnections,
      max_snapshot_bytes: service.limits.maxSnapshotBytes,
      max_in_flight: connectionLimits.maxInFlight,
      idle_timeout_s: connectionLimits.idleTimeoutMs / 1000,
      max_worker_threads: service.limits.maxWorkerThreads,
      max_session_memory_bytes: service.limits.maxSessionMemoryBytes,
      max_total_session_memory_bytes: service.limits.maxTotalSessionMemoryBytes,
      step_timeout_s: service.limits.stepTimeoutMs / 1000,
      max_mjcf_bytes: mjcfLimits.maxXmlBytes,
      mjcf_compile_timeout_s: mjcfLimits.compileTimeoutMs / 1000,
      max_mjcf_compile_bytes: mjcfLimits.compileMemoryBytes,
      max_model_bytes: mjcfLimits.maxModelBytes,
    },
    ping_interval_s: pingIntervalMs / 1000,
  };
  const tokenHash = options.token === undefined ? undefined : createHash('sha256').update(options.token).digest();

  // The https variant of fastify has another server type; the routes and the upgrade hook are the same.
  const app = (options.tls ? Fastify({ logger: options.logger ?? false, https: options.tls }) : Fastify({ logger: options.logger ?? false })) as unknown as FastifyInstance;
  const connections = new Map<WebSocket, Connection>();
  let nextConnectionId = 1;
  let shuttingDown = false;

  app.get('/healthz', async (_request, reply) => {
    if (shuttingDown) reply.code(503);
    return { status: shuttingDown ? 'shutting_down' : 'ok' };
  });
  app.get('/v1/envs', async () => service.list());
  app.get('/metrics', async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    const { sessions, envs } = service.stats();
    return metrics.render({ connections: connections.size, sessions, envs, memory: process.memoryUsage() });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  app.server.on('upgrade', (request, socket, head) => {
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
      if (connections.size >= maxConnections) {
        metrics.recordError('LIMIT_EXCEEDED');
        log.warn('refusing connection from %s: max_connections %d reached', request.socket.remoteAddress, maxConnections);
        const error = { code: 'LIMIT_EXCEEDED', message: `the server already has ${maxConnections} connections`, details: { limit: 'max_connections', max: maxConnections } } as const;
        ws.on('error', () => undefined);
        ws.send(encodeFrame({ id: null, ok: false, error }), { binary: true });
        ws.close(CLOSE_CODES.tryAgainLater, 'too many connections');
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
        return;
      }
      const connection = new Connection(ws, { service, metrics, helloResult, tokenHash, limits: connectionLimits, log });
      connections.set(ws, connection);
      log.info('connection opened from %s', request.socket.remoteAddress);
      ws.on('error', (error: Error & { code?: string }) => {
        // ws has already closed the socket (1009 for an oversized frame); record why.
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.recordError('LIMIT_EXCEEDED');
        log.warn({ err: error }, 'websocket error');
      });
      ws.on('close', (code) => {
        connections.delete(ws);
        const sessions = service.stats().sessions;
        service.closeAllOwnedBy(connection);
        log.info({ code, requests: connection.requests, sessionsClosed: sessions - service.stats().sessions }, 'connection closed');
      });
    });
  });

  const pingTimer =
    pingIntervalMs > 0
      ? setInterval(() => {
          for (const connection of connections.values()) connection.pingTick();
        }, pingIntervalMs)
      : undefined;
  pingTimer?.unref();
  const sweepMs = Math.max(50, Math.min(1000, ...[connectionLimits.idleTimeoutMs, connectionLimits.helloTimeoutMs].filter((ms) => ms > 0).map((ms) => ms / 4)));
  const sweepTimer = setInterval(() => {
    const now = performance.now();
    for (const connection of connections.values()) connection.sweep(now);
  }, sweepMs);
  sweepTimer.unref();

  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const { port } = app.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // Requests are handled synchronously as they arrive, so every request received so far has been answered; the
    // close frame goes out after those responses.
    shuttingDown = true;
    clearInterval(pingTimer);
    clearInterval(sweepTimer);
    app.log.info({ connections: connections.size, sessions: service.stats().sessions }, 'shutting down');
    // Compiles of client MJCF are stopped at once (their makes fail); sessions on worker threads answer
    // asynchronously: let the requests already received finish first, within a grace period, after which the
    // sessions are stopped and their requests fail.
    service.mjcf.close();
    const answered = Promise.all([...connections.values()].map((connection) => connection.answered()));
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, ANSWER_GRACE_MS)));
    await Promise.race([answered, grace]);
    clearTimeout(graceTimer);
    service.shutdown();
    await answered;
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
    get connections() {
      return connections.size;
    },
    close: () => (closing ??= close()),
  };
}
