/**
 * The training dashboard's HTTP server (node:http, no framework: four routes). It serves a page of learning curves
 * for one or more run directories and pushes every new metrics row and evaluation video to it over Server-Sent
 * Events. Everything but the page's static script and style needs the token, which the printed URL carries.
 *
 *   GET /?token=T                       the page
 *   GET /dashboard.js, /dashboard.css   its script and style (static, no data; from dashboard-page/)
 *   GET /events?token=T                 SSE: `runs` once, then `rows` and `videos` per run as they appear
 *   GET /runs/<id>/videos/<file>?token=T  a video of videos/index.jsonl (byte ranges, for the browser's player)
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunFeed, type FeedUpdate } from './run-feed.js';

/** The page's files: a folder beside src/ and dist/, so the same path works from sources and from the build. */
const PAGE_DIR = fileURLToPath(new URL('../../dashboard-page/', import.meta.url));
const STATIC_FILES: Readonly<Record<string, string>> = {
  '/dashboard.js': 'text/javascript; charset=utf-8',
  '/dashboard.css': 'text/css; charset=utf-8',
};
const VIDEO_TYPES: Readonly<Record<string, string>> = { mp4: 'video/mp4', webm: 'video/webm', gif: 'image/gif' };

export interface DashboardOptions {
  /** Run directories to show, overlaid. */
  runDirs: string[];
  /** Port to listen on (default 6060; 0: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 to share it, still behind the token). */
  host?: string;
  /** Secret the page's URL carries (default: 32 random hex digits). */
  token?: string;
  /** How often the run directories are read, in ms (default 500). */
  pollMs?: number;
}

export interface Dashboard {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const DEFAULT_DASHBOARD_PORT = 6060;

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  if (options.runDirs.length === 0) throw new Error('the dashboard needs at least one run directory');
  const feeds = await Promise.all(options.runDirs.map((dir, id) => RunFeed.open(id, dir)));
  const token = options.token ?? randomBytes(16).toString('hex');
  const clients = new Set<ServerResponse>();

  const broadcast = (updates: FeedUpdate[]) => {
    for (const update of updates) for (const client of clients) sendEvent(client, update.type, update);
  };
  let polling = Promise.resolve();
  const poll = () => {
    polling = polling.then(async () => {
      for (const feed of feeds) broadcast(await feed.poll().catch(() => []));
    });
    return polling;
  };
  await poll();

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, `dashboard error: ${(error as Error).message}`);
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://dashboard');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'only GET');
    if (url.pathname in STATIC_FILES) {
      const body = await readFile(join(PAGE_DIR, url.pathname.slice(1)));
      response.writeHead(200, { 'content-type': STATIC_FILES[url.pathname], 'cache-control': 'no-cache' });
      response.end(body);
      return;
    }
    if (!tokenMatches(url.searchParams.get('token') ?? bearer(request), token)) {
      return reply(response, 401, 'wrong or missing token: open the URL the dashboard printed (it ends in ?token=...)');
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(await readFile(join(PAGE_DIR, 'index.html')));
      return;
    }
    if (url.pathname === '/events') return openStream(response);
    const video = /^\/runs\/(\d+)\/videos\/([\w.-]+\.(mp4|webm|gif))$/.exec(url.pathname);
    const feed = video ? feeds[Number(video[1])] : undefined;
    // Only files the run's video index lists: the name cannot reach outside videos/.
    if (video && feed?.videos.some((entry) => entry.file === video[2]))
      return sendFile(request, response, join(feed.videosDir, video[2]), VIDEO_TYPES[video[3]]);
    reply(response, 404, 'not found');
  }

  function openStream(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    sendEvent(response, 'runs', { runs: feeds.map((feed) => feed.info) });
    for (const feed of feeds) {
      sendEvent(response, 'rows', { type: 'rows', run: feed.info.id, reset: true, rows: feed.rows });
      sendEvent(response, 'videos', { type: 'videos', run: feed.info.id, reset: true, videos: feed.videos });
    }
    clients.add(response);
    response.on('close', () => clients.delete(response));
  }

  await listen(server, options.port ?? DEFAULT_DASHBOARD_PORT, options.host ?? '127.0.0.1');
  const timer = setInterval(poll, options.pollMs ?? 500);
  // Comments keep proxies and the browser from closing a quiet stream.
  const heartbeat = setInterval(() => clients.forEach((client) => client.write(': keep-alive\n\n')), 15_000);
  const { port } = server.address() as AddressInfo;
  const host =
    options.host === undefined || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      clearInterval(timer);
      clearInterval(heartbeat);
      for (const client of clients) client.end();
      await polling;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}

function sendEvent(response: ServerResponse, event: string, data: unknown): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function reply(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(`${message}\n`);
}

/** Streams a file, honouring a single byte range (browsers' video players seek with them). */
async function sendFile(request: IncomingMessage, response: ServerResponse, path: string, type: string): Promise<void> {
  const { size } = await stat(path);
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  let start = 0;
  let end = size - 1;
  if (range && (range[1] !== '' || range[2] !== '')) {
    start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    end = range[1] !== '' && range[2] !== '' ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      response.writeHead(416, { 'content-range': `bytes */${size}` });
      response.end();
      return;
    }
  }
  const headers = {
    'content-type': type,
    'accept-ranges': 'bytes',
    'content-length': String(end - start + 1),
    'cache-control': 'no-cache',
  };
  response.writeHead(
    range ? 206 : 200,
    range ? { ...headers, 'content-range': `bytes ${start}-${end}/${size}` } : headers,
  );
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(path, { start, end }).pipe(response);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `dashboard: port ${port} on ${host} is in use; pick another (--dashboard <port>, 0: any free one)`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
}
