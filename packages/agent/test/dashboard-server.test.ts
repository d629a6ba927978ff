/**
 * The dashboard's server over HTTP (the page itself: dashboard-browser.test.ts): the token guards the page, the
 * event stream and the videos; the stream sends what a run directory holds and then each row appended to it; a
 * resumed run (metrics.jsonl rewritten) starts its curve over; videos are served with byte ranges, and only files
 * the run's video index lists.
 */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JsonlTail } from '../src/dashboard/jsonl-tail.js';
import { startDashboard, type Dashboard } from '../src/dashboard/server.js';
import { RunDirectory } from '../src/run/run-directory.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vinegym-dashboard-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const row = (iteration: number) => ({
  iteration,
  env_steps: 100 * iteration,
  'time/wall_s': iteration,
  'rollout/ep_return_mean': 10 * iteration,
  'train/kl': 0.01,
});

async function runWithRows(name: string, rows: number): Promise<RunDirectory> {
  const run = await RunDirectory.create(join(dir, name), { envId: 'CartPole-v1', algo: 'trpo' });
  for (let i = 1; i <= rows; i++) await run.appendMetrics(row(i));
  return run;
}

/** Reads Server-Sent Events from a streaming response. */
function eventReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return async function next(): Promise<{ event: string; data: any }> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) continue;
        const event = /^event: (.*)$/m.exec(block)![1];
        return { event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += value;
    }
  };
}

describe('JsonlTail', () => {
  it('returns complete lines as they are appended, and starts over when the file is replaced', async () => {
    const path = join(dir, 'tail.jsonl');
    const tail = new JsonlTail(path);
    expect(await tail.poll()).toEqual({ reset: false, lines: [] });
    await writeFile(path, '{"a":1}\n{"a":');
    expect(await tail.poll()).toEqual({ reset: false, lines: ['{"a":1}'] });
    await appendFile(path, '2}\n');
    expect(await tail.poll()).toEqual({ reset: false, lines: ['{"a":2}'] });
    await writeFile(`${path}.new`, '{"a":1}\n');
    await (await import('node:fs/promises')).rename(`${path}.new`, path);
    expect(await tail.poll()).toEqual({ reset: true, lines: ['{"a":1}'] });
  });
});

describe('dashboard server', () => {
  let dashboard: Dashboard | null = null;
  afterEach(async () => {
    await dashboard?.close();
    dashboard = null;
  });

  it('refuses a missing or wrong token on the page, the stream and the videos; serves the static script', async () => {
    const run = await runWithRows('token', 1);
    dashboard = await startDashboard({ runDirs: [run.path], port: 0 });
    const base = `http://127.0.0.1:${dashboard.port}`;
    expect((await fetch(dashboard.url)).status).toBe(200);
    for (const path of [
      '/',
      '/?token=wrong',
      '/events',
      `/events?token=${dashboard.token}x`,
      '/runs/0/videos/iteration-000001.mp4?token=nope',
    ]) {
      const response = await fetch(base + path);
      expect(response.status, path).toBe(401);
      expect(await response.text()).toContain('wrong or missing token');
    }
    expect((await fetch(`${base}/events`, { headers: { authorization: `Bearer ${dashboard.token}` } })).status).toBe(
      200,
    );
    const script = await fetch(`${base}/dashboard.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('EventSource');
  });

  it('streams the rows a run holds, then each appended row; a rewritten metrics.jsonl resets the curve', async () => {
    const run = await runWithRows('stream', 2);
    dashboard = await startDashboard({ runDirs: [run.path], port: 0, pollMs: 50 });
    const next = eventReader(await fetch(dashboard.url.replace('/?', '/events?')));
    expect(await next()).toEqual({
      event: 'runs',
      data: { runs: [{ id: 0, label: 'stream', dir: run.path, envId: 'CartPole-v1', algo: 'trpo' }] },
    });
    const first = await next();
    expect(first.event).toBe('rows');
    expect(first.data.rows.map((r: { iteration: number }) => r.iteration)).toEqual([1, 2]);
    expect((await next()).data).toEqual({ type: 'videos', run: 0, reset: true, videos: [] });
    await run.appendMetrics({ ...row(3), 'train/kl': Number.NaN });
    const appended = await next();
    expect(appended.data).toMatchObject({
      type: 'rows',
      run: 0,
      reset: false,
      rows: [{ iteration: 3, 'train/kl': null }],
    });
    await run.resumeFrom(1);
    const reset = await next();
    expect(reset.data.reset).toBe(true);
    expect(reset.data.rows.map((r: { iteration: number }) => r.iteration)).toEqual([1]);
  });

  it('serves the videos its index lists, with byte ranges; nothing else', async () => {
    const run = await runWithRows('videos', 1);
    await mkdir(join(run.path, 'videos'));
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    await writeFile(join(run.path, 'videos', 'iteration-000001.mp4'), bytes);
    await writeFile(join(run.path, 'videos', 'unlisted.mp4'), bytes);
    await writeFile(
      join(run.path, 'videos', 'index.jsonl'),
      `${JSON.stringify({ iteration: 1, env_steps: 100, file: 'iteration-000001.mp4', return: 5, length: 5, frames: 5 })}\n`,
    );
    dashboard = await startDashboard({ runDirs: [run.path], port: 0 });
    const url = (path: string) => `http://127.0.0.1:${dashboard!.port}${path}?token=${dashboard!.token}`;
    const whole = await fetch(url('/runs/0/videos/iteration-000001.mp4'));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await fetch(url('/runs/0/videos/iteration-000001.mp4'), { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    for (const path of [
      '/runs/0/videos/unlisted.mp4',
      '/runs/0/videos/..%2Fconfig.json',
      '/runs/0/videos/../config.json',
      '/runs/7/videos/iteration-000001.mp4',
    ]) {
      expect((await fetch(url(path))).status, path).toBe(404);
    }
  });

  it('says which directory is not a run, and which port is taken', async () => {
    await expect(startDashboard({ runDirs: [join(dir, 'nothing-here')], port: 0 })).rejects.toThrow(
      /nothing-here is not a run directory/,
    );
    const run = await runWithRows('port', 1);
    dashboard = await startDashboard({ runDirs: [run.path], port: 0 });
    await expect(startDashboard({ runDirs: [run.path], port: dashboard.port })).rejects.toThrow(
      `dashboard: port ${dashboard.port} on 127.0.0.1 is in use`,
    );
  });
});
