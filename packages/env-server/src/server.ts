/**
 * The network server: a fastify HTTP server (health, env list, Prometheus metrics) whose `upgrade` requests on
 * /v1/ws become vinegym protocol connections handled by `ws`. All env work goes through one EnvService.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyServerOptions } from 'fastify';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '@vinegym/protocol';
import type { HelloResult } from '@vinegym/protocol';
import { CLOSE_CODES, Connection } from './connection.js';
import { ServerMetrics } from './metrics.js';
import type { EnvRegistry } from './registry.js';
import { createDefaultRegistry } from './registry.js';
import { EnvService } from './service.js';

export const WS_PATH = '/v1/ws';
export const DEFAULT_PORT = 8765;
/** What hello reports the server can do. */
export const SERVER_CAPABILITIES = ['snapshot', 'render', 'autoreset:next_step', 'autoreset:same_step', 'autoreset:disabled'];
/** How long close() waits for clients to finish the closing handshake before cutting their sockets. */
const CLOSE_GRACE_MS = 1000;

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
  /** Ping period on idle connections in ms; 0 disables pings. Default 30000. */
  pingIntervalMs?: number;
  /** Envs to serve. Default: createDefaultRegistry(). */
  registry?: EnvRegistry;
  /** fastify's logger option. Default false (silent); the CLI passes a level and stderr. */
  logger?: FastifyServerOptions['logger'];
  /** Reported in hello. Defaults 'vinegym-env-server' and '0.1.0'. */
  serverName?: string;
  serverVersion?: string;
}

export interface VinegymServer {
  /** ws://host:port/v1/ws */
  url: string;
  /** http://host:port */
  httpUrl: string;
  port: number;
  service: EnvService;
  metrics: ServerMetrics;
  /** Closes every connection (code 1001) and session, then the listener. Idempotent. */
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions = {}): Promise<VinegymServer> {
  const host = options.host ?? '127.0.0.1';
  const maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
  const pingIntervalMs = options.pingIntervalMs ?? 30_000;
  const service = new EnvService({
    registry: options.registry ?? createDefaultRegistry(),
    limits: {
      maxSessions: options.maxSessions,
      maxTotalSessions: options.maxTotalSessions,
      maxEnvsPerSession: options.maxEnvsPerSession,
    },
    serverName: options.serverName,
    serverVersion: options.serverVersion,
  });
  const metrics = new ServerMetrics();
  const helloResult: HelloResult = {
    protocol_version: PROTOCOL_VERSION,
    server: { name: service.serverName, version: service.serverVersion },
    capabilities: SERVER_CAPABILITIES,
    limits: {
      max_sessions: service.limits.maxSessions,
      max_envs_per_session: service.limits.maxEnvsPerSession,
      max_message_bytes: maxMessageBytes,
    },
    ping_interval_s: pingIntervalMs / 1000,
  };
  const tokenHash = options.token === undefined ? undefined : createHash('sha256').update(options.token).digest();

  const app = Fastify({ logger: options.logger ?? false });
  const connections = new Map<WebSocket, Connection>();

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/v1/envs', async () => service.list());
  app.get('/metrics', async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return metrics.render({ connections: connections.size, sessions: service.stats().sessions });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  app.server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new Connection(ws, { service, metrics, helloResult, tokenHash, log: app.log });
      connections.set(ws, connection);
      app.log.debug('connection opened from %s', request.socket.remoteAddress);
      ws.on('error', (error: Error & { code?: string }) => {
        // ws has already closed the socket (1009 for an oversized frame); record why.
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') metrics.recordError('LIMIT_EXCEEDED');
        app.log.debug({ err: error }, 'websocket error');
      });
      ws.on('close', () => {
        connections.delete(ws);
        service.closeAllOwnedBy(connection);
        app.log.debug('connection closed');
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

  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const { port } = app.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    clearInterval(pingTimer);
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
    service.closeAll();
    wss.close();
    await app.close();
  };

  return {
    url: `ws://${urlHost}:${port}${WS_PATH}`,
    httpUrl: `http://${urlHost}:${port}`,
    port,
    service,
    metrics,
    close: () => (closing ??= close()),
  };
}
