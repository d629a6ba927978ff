/**
 * The viewer's HTTP side (docs/viewer.md): the page and its static assets (three.js served from the installed
 * package, never a CDN), and read-only JSON/binary endpoints that need the server's token:
 *
 *   GET /viewer                          the page (no data in it; it asks for the token)
 *   GET /viewer/<asset>                  its scripts, and three.js under /viewer/vendor/
 *   GET /v1/sessions                     every live session: env id, num_envs, steps, render modes, env 0's episode
 *   GET /v1/sessions/:id/scene           the 3D scene's static part (JSON), for envs with render mode `scene`
 *   GET /v1/sessions/:id/frame?mode=...  `poses`: float64 positions then rotations; `rgb_array`: RGB bytes; with the
 *                                        env's episode return and step count in the `x-vinegym-status` header (JSON)
 *
 * Every data request carries `Authorization: Bearer <token>`; a missing or wrong token gets 401, and failures count
 * towards the same per-address back-off as failed hellos (429 while it lasts). Watching never acts on a session:
 * samples go through a FrameSampler, so viewers cannot make a session answer more than one sample per display frame.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VinegymError } from '@vinegym/protocol';
import type { RenderMode, RenderResult, Scene } from '@vinegym/protocol';
import type { TokenBackoff } from '../guards/token-backoff.js';
import type { EnvService, WatchedSession } from '../service.js';
import { FrameSampler } from './sampler.js';

/** The page and its scripts, shipped in the package's `viewer/` folder. */
export const VIEWER_DIR = fileURLToPath(new URL('../../viewer/', import.meta.url));
const THREE_DIR = join(dirname(createRequire(import.meta.url).resolve('three')), '..');

/** URL path -> [file, content type]. Nothing else is served: no path from a request ever reaches the file system. */
export const VIEWER_ASSETS: Readonly<Record<string, [string, string]>> = {
  '/viewer': [join(VIEWER_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/viewer/viewer.js': [join(VIEWER_DIR, 'viewer.js'), 'text/javascript; charset=utf-8'],
  '/viewer/scene-view.js': [join(VIEWER_DIR, 'scene-view.js'), 'text/javascript; charset=utf-8'],
  '/viewer/render.html': [join(VIEWER_DIR, 'render.html'), 'text/html; charset=utf-8'],
  '/viewer/vendor/three.module.js': [join(THREE_DIR, 'build', 'three.module.js'), 'text/javascript; charset=utf-8'],
  '/viewer/vendor/three.core.js': [join(THREE_DIR, 'build', 'three.core.js'), 'text/javascript; charset=utf-8'],
  '/viewer/vendor/OrbitControls.js': [
    join(THREE_DIR, 'examples', 'jsm', 'controls', 'OrbitControls.js'),
    'text/javascript; charset=utf-8',
  ],
};

export interface ViewerRouteOptions {
  service: EnvService;
  /** The token viewers must send (the server's token, or one made up at start when the server has none). */
  token: string;
  tokenBackoff: TokenBackoff;
  /** Default: a FrameSampler at DEFAULT_SAMPLE_INTERVAL_MS. */
  sampler?: FrameSampler<RenderResult>;
}

export function registerViewerRoutes(app: FastifyInstance, options: ViewerRouteOptions): FrameSampler<RenderResult> {
  const { service, tokenBackoff } = options;
  const tokenHash = sha256(options.token);
  const sampler = options.sampler ?? new FrameSampler<RenderResult>();
  const assets = new Map<string, Promise<Buffer>>();

  for (const [path, [file, type]] of Object.entries(VIEWER_ASSETS)) {
    app.get(path, async (_request, reply) => {
      if (!assets.has(path)) assets.set(path, readFile(file));
      reply.type(type).header('cache-control', 'no-cache');
      return assets.get(path);
    });
  }

  /** True when the request may see sessions; otherwise the reply has been sent (401 or 429). */
  const authorized = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const address = request.socket.remoteAddress;
    const waitMs = tokenBackoff.retryAfterMs(address);
    if (waitMs > 0) {
      reply
        .code(429)
        .header('retry-after', Math.ceil(waitMs / 1000))
        .send({ error: 'too many wrong tokens; retry later' });
      return false;
    }
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (match !== null && timingSafeEqual(sha256(match[1]), tokenHash)) return true;
    tokenBackoff.recordFailure(address);
    reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: match === null ? 'this needs the server token' : 'wrong token' });
    return false;
  };

  // A watching page asks for a frame up to 30 times a second and for the session list every few seconds; at the
  // CLI's default level (info) fastify would log two lines for each, flooding the log and costing the server's
  // thread a log write per line. Warnings and errors of these routes are still logged.
  const polled = { logLevel: 'warn' } as const;

  app.get('/v1/sessions', polled, async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    reply.header('cache-control', 'no-store');
    return { sessions: service.watchable().map(describe) };
  });

  app.get<{ Params: { id: string }; Querystring: { env_index?: string } }>(
    '/v1/sessions/:id/scene',
    polled,
    async (request, reply) => {
      if (!authorized(request, reply)) return reply;
      const watched = watchedOr404(service, request.params.id, reply);
      if (watched === undefined) return reply;
      const envIndex = envIndexOf(request.query.env_index);
      const result = await answer(reply, () => watched.session.render(envIndex, 'scene'));
      if (result === undefined) return reply;
      reply.header('cache-control', 'no-store');
      return { scene: sceneToJson(result.scene!) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { env_index?: string; mode?: string } }>(
    '/v1/sessions/:id/frame',
    polled,
    async (request, reply) => {
      if (!authorized(request, reply)) return reply;
      const watched = watchedOr404(service, request.params.id, reply);
      if (watched === undefined) return reply;
      const envIndex = envIndexOf(request.query.env_index);
      const mode: RenderMode = request.query.mode === 'rgb_array' ? 'rgb_array' : 'poses';
      const result = await answer(reply, () =>
        sampler.sample(`${watched.id}/${envIndex}/${mode}`, () => watched.session.render(envIndex, mode)),
      );
      if (result === undefined) return reply;
      const status: Record<string, unknown> = {
        steps: watched.activity.steps,
        ...watched.activity.env(Math.min(envIndex, watched.session.numEnvs - 1)),
      };
      let body: Buffer;
      if (mode === 'rgb_array') {
        const { shape, data } = result.frame!;
        status.height = shape[0];
        status.width = shape[1];
        body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      } else {
        const { positions, rotations } = result.poses!;
        status.geoms = positions.shape[0];
        body = Buffer.concat([bytesOf(positions.data as Float64Array), bytesOf(rotations.data as Float64Array)]);
      }
      reply
        .header('cache-control', 'no-store')
        .header('x-vinegym-status', JSON.stringify(status))
        .type('application/octet-stream');
      return body;
    },
  );

  return sampler;
}

function describe({ id, session, activity }: WatchedSession) {
  return {
    id,
    env_id: session.envId,
    num_envs: session.numEnvs,
    render_modes: [...session.renderModes],
    steps: activity.steps,
    created_at: new Date(activity.createdAt).toISOString(),
    broken: session.broken,
    env0: activity.env(0),
  };
}

function watchedOr404(service: EnvService, id: string, reply: FastifyReply): WatchedSession | undefined {
  const watched = service.watch(id);
  if (watched === undefined) reply.code(404).send({ error: 'no such session (it may have closed)' });
  return watched;
}

function envIndexOf(text: string | undefined): number {
  const index = Number(text ?? 0);
  return Number.isSafeInteger(index) && index >= 0 ? index : -1;
}

/** The render result, or undefined after replying with the error (a session's errors never reach its owner). */
async function answer(
  reply: FastifyReply,
  call: () => Promise<RenderResult> | RenderResult,
): Promise<RenderResult | undefined> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof VinegymError)) throw error;
    const status = error.code === 'NOT_SUPPORTED' ? 404 : error.code === 'ENV_ERROR' ? 410 : 409;
    reply.code(status).send({ error: error.message, code: error.code });
    return undefined;
  }
}

/** A scene with NDArrays as flat number arrays, for JSON. */
export function sceneToJson(scene: Scene) {
  return {
    geoms: scene.geoms,
    meshes: scene.meshes.map((mesh) => ({
      vertices: Array.from(mesh.vertices.data as Float32Array),
      faces: Array.from(mesh.faces.data as Int32Array),
    })),
    camera: scene.camera,
  };
}

function bytesOf(array: Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
