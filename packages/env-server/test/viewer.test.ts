/**
 * The viewer's HTTP side against a real server: the page and three.js served locally, the token rule, the
 * session list with episode statistics, scene and frame endpoints, and sampling that never makes a session
 * answer more than one sample per display frame however many viewers ask. The page itself runs in a real browser
 * in viewer.browser.test.ts.
 */
import { loadavg } from 'node:os';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { ndarray } from '@vinegym/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type VinegymServer } from '../src/server.js';
import { FrameSampler } from '../src/viewer/sampler.js';
import { TestClient } from './fixtures/test-client.js';

const TOKEN = 'viewer-test-token';
let server: VinegymServer;
let client: TestClient;

beforeAll(async () => {
  server = await createServer({ port: 0, workers: 0, token: TOKEN });
  client = await TestClient.open(server.url, TOKEN);
});
afterAll(async () => {
  client?.close();
  await server?.close();
});

const get = (path: string, token?: string) =>
  fetch(`${server.httpUrl}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
const cartpoleAction = (a: number) => ndarray('int64', [1], BigInt64Array.of(BigInt(a)));
const hopperAction = () => ndarray('float32', [1, 3], Float32Array.of(0.5, -0.5, 0.5));

describe('viewer page and assets', () => {
  it('serves the page, its scripts and three.js from the package, with no token', async () => {
    const page = await get('/viewer');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('"three": "/viewer/vendor/three.module.js"');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
    for (const asset of [
      'viewer.js',
      'scene-view.js',
      'vendor/three.module.js',
      'vendor/three.core.js',
      'vendor/OrbitControls.js',
    ]) {
      const response = await get(`/viewer/${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
    }
    expect((await get('/viewer/../package.json')).status).toBe(404);
    expect((await get('/viewer/vendor/three.cjs')).status).toBe(404);
  });
});

describe('session endpoints', () => {
  it('refuse requests without the token or with a wrong one', async () => {
    for (const token of [undefined, 'wrong']) {
      const response = await get('/v1/sessions', token);
      expect(response.status).toBe(401);
      expect((await response.json()).error).toMatch(token === undefined ? /needs the server token/ : /wrong token/);
    }
    expect((await get('/v1/sessions/x/frame')).status).toBe(401);
    expect((await get('/v1/sessions/x/scene', 'wrong')).status).toBe(401);
    // Past three wrong tokens the address is backed off (429, even with the right token) until retry-after has
    // passed, as failed hellos are; the tests after this one wait it out.
    for (let tries = 0; tries < 10; tries++) {
      const answer = await get('/v1/sessions', TOKEN);
      if (answer.status !== 429) {
        expect(answer.status).toBe(200);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after')) * 1000));
    }
  });

  it('list live sessions with steps and episode returns; scene and frames of MuJoCo and CartPole', async () => {
    const hopper = await client.call('make', { env_id: 'Hopper-v5', seed: 1 });
    const cartpole = await client.call('make', { env_id: 'CartPole-v1', seed: 1 });
    await client.call('reset', { session_id: hopper.session_id });
    await client.call('reset', { session_id: cartpole.session_id });
    for (let t = 0; t < 3; t++) await client.call('step', { session_id: hopper.session_id, actions: hopperAction() });
    // Push CartPole right until its episode ends: the list then shows that episode's return (one per step).
    let length = 0;
    for (;;) {
      const result = await client.call('step', { session_id: cartpole.session_id, actions: cartpoleAction(1) });
      length++;
      if (result.terminated.data[0] === 1 || result.truncated.data[0] === 1) break;
    }
    const { sessions } = await (await get('/v1/sessions', TOKEN)).json();
    const byEnv = Object.fromEntries(sessions.map((s: { env_id: string }) => [s.env_id, s]));
    expect(byEnv['Hopper-v5']).toMatchObject({
      id: hopper.session_id,
      num_envs: 1,
      steps: 3,
      render_modes: ['scene', 'poses'],
    });
    expect(byEnv['Hopper-v5'].env0).toMatchObject({ episode_length: 3, episodes: 0, last_return: null });
    expect(byEnv['CartPole-v1']).toMatchObject({
      steps: length,
      render_modes: ['rgb_array'],
      env0: { episodes: 1, last_return: length, episode_length: 0 },
    });

    const scene = await (await get(`/v1/sessions/${hopper.session_id}/scene`, TOKEN)).json();
    expect(scene.scene.geoms).toHaveLength(5);
    expect(scene.scene.camera.track_geom).toBe(2);

    const poses = await get(`/v1/sessions/${hopper.session_id}/frame?mode=poses`, TOKEN);
    expect(poses.status).toBe(200);
    const status = JSON.parse(poses.headers.get('x-vinegym-status')!);
    expect(status).toMatchObject({ steps: 3, episode_length: 3, geoms: 5 });
    const values = new Float64Array(await poses.arrayBuffer());
    expect(values).toHaveLength(5 * 12);
    expect(values[5]).toBeGreaterThan(0.5); // the torso's height

    const frame = await get(`/v1/sessions/${cartpole.session_id}/frame?mode=rgb_array`, TOKEN);
    const frameStatus = JSON.parse(frame.headers.get('x-vinegym-status')!);
    expect(frameStatus).toMatchObject({ width: 600, height: 400, last_return: length });
    expect((await frame.arrayBuffer()).byteLength).toBe(600 * 400 * 3);

    expect((await get(`/v1/sessions/${cartpole.session_id}/scene`, TOKEN)).status).toBe(404);
    expect((await get('/v1/sessions/no-such-session/frame', TOKEN)).status).toBe(404);
    await client.call('close', { session_id: hopper.session_id });
    await client.call('close', { session_id: cartpole.session_id });
    expect((await get(`/v1/sessions/${hopper.session_id}/frame`, TOKEN)).status).toBe(404);
  });

  it('many viewers at once take one sample from the session; a sample is reused within a display frame', async () => {
    const made = await client.call('make', { env_id: 'Hopper-v5', seed: 2 });
    await client.call('reset', { session_id: made.session_id });
    const sampler = server.viewerSampler!;
    const before = sampler.taken;
    const burst = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => get(`/v1/sessions/${made.session_id}/frame`, TOKEN)),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(sampler.taken - before).toBeLessThanOrEqual(Math.ceil(((performance.now() - burst) / 1000) * 60) + 1);
    // Polling as fast as possible for 300 ms samples at most at display rate (60 Hz, plus the first).
    const start = performance.now();
    const taken = sampler.taken;
    while (performance.now() - start < 300) await get(`/v1/sessions/${made.session_id}/frame`, TOKEN);
    const elapsed = performance.now() - start;
    expect(sampler.taken - taken).toBeLessThanOrEqual(Math.ceil((elapsed / 1000) * 60) + 1);
    await client.call('close', { session_id: made.session_id });
  });
});

describe('watching does not slow the watched session', () => {
  it('steps/s of a Hopper session with and without a viewer polling at display rate, alternated in one run', async () => {
    const made = await client.call('make', { env_id: 'Hopper-v5', seed: 3 });
    await client.call('reset', { session_id: made.session_id });
    const stepFor = async (ms: number) => {
      let steps = 0;
      const end = performance.now() + ms;
      while (performance.now() < end) {
        await client.call('step', { session_id: made.session_id, actions: hopperAction() });
        steps++;
      }
      return steps;
    };
    // The viewer polls from another thread, as a browser would from another process: one request in flight,
    // the next one a display frame (16.7 ms) after the last answer. flag: 0 paused, 1 watching, 2 stop.
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const viewer = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const flag = workerData.flag; let frames = 0;
       const poll = async () => {
         const r = await fetch(workerData.url, { headers: { authorization: 'Bearer ' + workerData.token } });
         await r.arrayBuffer();
       };
       (async () => {
         await poll();
         parentPort.postMessage('ready');
         while (Atomics.load(flag, 0) !== 2) {
           if (Atomics.load(flag, 0) === 1) { await poll(); frames++; }
           await new Promise((resolve) => setTimeout(resolve, 1000 / 60));
         }
         parentPort.postMessage(frames);
       })();`,
      { eval: true, workerData: { url: `${server.httpUrl}/v1/sessions/${made.session_id}/frame`, token: TOKEN, flag } },
    );
    await new Promise((resolve) => viewer.once('message', resolve)); // its first poll is done: fetch is warm
    const viewerDone = new Promise<number>((resolve) => viewer.once('message', resolve));
    await stepFor(200); // warm-up
    const blockMs = 250;
    const alone: number[] = [];
    const watched: number[] = [];
    // Alternating blocks (ABAB...) cancel slow drifts of the machine's load; the spread of the blocks without a
    // viewer is the noise the watched blocks are judged against.
    for (let round = 0; round < 5; round++) {
      Atomics.store(flag, 0, 0);
      alone.push(await stepFor(blockMs));
      Atomics.store(flag, 0, 1);
      watched.push(await stepFor(blockMs));
    }
    Atomics.store(flag, 0, 2);
    const viewerFrames = await viewerDone;
    await viewer.terminate();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const spread = Math.sqrt(mean(alone.map((x) => (x - mean(alone)) ** 2)));
    const perSecond = (xs: number[]) => ((mean(xs) / blockMs) * 1000).toFixed(0);
    console.log(
      `viewer.test: Hopper steps/s alone ${perSecond(alone)}, watched ${perSecond(watched)} (ratio ${(mean(watched) / mean(alone)).toFixed(3)}, ` +
        `noise ±${((spread / mean(alone)) * 100).toFixed(1)} %, ${viewerFrames} frames polled; load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')})`,
    );
    expect(viewerFrames).toBeGreaterThan(3);
    // Beyond noise: more than two standard deviations of the unwatched blocks, and more than 5 %.
    expect(mean(watched)).toBeGreaterThanOrEqual(mean(alone) - Math.max(2 * spread, 0.05 * mean(alone)));
    await client.call('close', { session_id: made.session_id });
  });
});

describe('FrameSampler', () => {
  it('shares a sample in flight, reuses a settled one within the interval, then takes a new one', async () => {
    let now = 0;
    const sampler = new FrameSampler<number>(16, () => now);
    let calls = 0;
    let release: (value: number) => void = () => undefined;
    const slow = () => {
      calls++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const first = sampler.sample('a', slow);
    now = 100; // in flight: shared however late the next viewer comes
    const second = sampler.sample('a', slow);
    expect(calls).toBe(1);
    release(7);
    expect([await first, await second]).toEqual([7, 7]);
    now = 110; // settled at 100: reused until 116
    expect(await sampler.sample('a', () => ++calls)).toBe(7);
    expect(await sampler.sample('b', () => ++calls)).toBe(2); // another env or mode has its own samples
    now = 117;
    expect(await sampler.sample('a', () => ++calls)).toBe(3);
    expect(sampler.taken).toBe(3);
    // A failed sample fails its viewers and is retried after the interval like any other.
    now = 200;
    await expect(
      sampler.sample('a', () => {
        throw new Error('gone');
      }),
    ).rejects.toThrow('gone');
    now = 220;
    expect(await sampler.sample('a', () => 9)).toBe(9);
  });
});

describe('logging', () => {
  it('does not log the polled endpoints at info level (a watching page would add lines 30 times a second)', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await createServer({ port: 0, workers: 0, token: TOKEN, logger: { level: 'info', stream } });
    const watcher = await TestClient.open(logged.url, TOKEN);
    try {
      const made = await watcher.call('make', { env_id: 'CartPole-v1', seed: 1 });
      await watcher.call('reset', { session_id: made.session_id });
      const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
      for (let i = 0; i < 3; i++) {
        expect(
          (await fetch(`${logged.httpUrl}/v1/sessions/${made.session_id}/frame?mode=rgb_array`, auth)).status,
        ).toBe(200);
        expect((await fetch(`${logged.httpUrl}/v1/sessions`, auth)).status).toBe(200);
      }
      expect((await fetch(`${logged.httpUrl}/viewer`)).status).toBe(200);
      const urls = lines.map((line) => JSON.parse(line) as { msg: string; req?: { url: string } });
      const incoming = urls.filter((entry) => entry.msg === 'incoming request').map((entry) => entry.req!.url);
      expect(incoming).toEqual(['/viewer']); // opening the page is logged, watching is not
    } finally {
      watcher.close();
      await logged.close();
    }
  });
});

describe('a server without a token', () => {
  it('makes up a viewer token, puts it in viewerUrl, and still refuses requests without it', async () => {
    const open = await createServer({ port: 0, workers: 0 });
    try {
      const token = decodeURIComponent(new URL(open.viewerUrl!).hash.replace('#token=', ''));
      expect(token.length).toBeGreaterThanOrEqual(20);
      expect((await fetch(`${open.httpUrl}/v1/sessions`)).status).toBe(401);
      expect(
        (await fetch(`${open.httpUrl}/v1/sessions`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(200);
    } finally {
      await open.close();
    }
    const hidden = await createServer({ port: 0, workers: 0, viewer: false });
    try {
      expect(hidden.viewerUrl).toBeUndefined();
      expect((await fetch(`${hidden.httpUrl}/viewer`)).status).toBe(404);
    } finally {
      await hidden.close();
    }
  });
});
