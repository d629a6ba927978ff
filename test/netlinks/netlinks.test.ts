/**
 * The real-links harness: the delaying proxy (delay, bytes, closes, rate) on loopback, and the namespace links
 * (traffic across a veth between two namespaces of our own, cleanup on a throwing body and on SIGTERM). The
 * namespace part is skipped, with the reason, where namespaces cannot be made (not root, no `ip`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DelayProxy } from './delay-proxy.js';
import { ReleaseClock } from './release-clock.js';
import { NamespaceLinks, PREFIX, firstLine, namespacesUnavailable, withLinks, type Links } from './links.js';

const PROXY_MAIN = new URL('./proxy-main.ts', import.meta.url).pathname;

let echo: Server;
let echoPort: number;
const serverSides: Socket[] = [];

beforeAll(async () => {
  echo = createServer({ allowHalfOpen: true }, (socket) => {
    serverSides.push(socket);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true, allowHalfOpen: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `data` and resolves with the first `data.length` bytes that come back. */
function exchange(socket: Socket, data: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= data.length) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.write(data);
  });
}

/** Round-trip times (ms) of `count` one-byte pings on a fresh connection to `port`. */
async function pingTimes(port: number, count: number): Promise<number[]> {
  const socket = await open(port);
  const times: number[] = [];
  for (let k = 0; k < count; k++) {
    const start = performance.now();
    await exchange(socket, Buffer.from([k & 0xff]));
    times.push(performance.now() - start);
  }
  socket.destroy();
  return times;
}

describe('ReleaseClock', () => {
  it('wakes each callback once, never early, in deadline order, and sleeps (no busy wait) meanwhile', async () => {
    const clock = new ReleaseClock();
    try {
      const woken: { name: string; at: number }[] = [];
      const start = performance.now();
      const wake = (name: string) => () => woken.push({ name, at: performance.now() - start });
      const c = wake('c');
      clock.wakeAt(start + 300, c);
      clock.wakeAt(start + 2.5, wake('a'));
      clock.wakeAt(start + 1000, c); // replaces c's first deadline
      clock.wakeAt(start + 5, wake('b'));
      const cpuBefore = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const cpu = process.cpuUsage(cpuBefore);
      // Sleeping through ~0.5 s costs far less than 0.5 s of CPU (a busy wait would take all of it on a free core).
      expect((cpu.user + cpu.system) / 1000).toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(woken.map((w) => w.name)).toEqual(['a', 'b', 'c']);
      // Never early; 'c' at its second deadline, not its first.
      expect(woken[0].at).toBeGreaterThanOrEqual(2.5);
      expect(woken[1].at).toBeGreaterThanOrEqual(5);
      expect(woken[2].at).toBeGreaterThanOrEqual(1000);
      expect(woken[2].at).toBeLessThan(1200);
    } finally {
      await clock.close();
    }
  });
});

describe('DelayProxy', () => {
  it.each([0.2, 2, 10])(
    'adds %d ms of round-trip time, judged against the direct path in the same run',
    async (rttMs) => {
      const proxy = await DelayProxy.start({ target: { host: '127.0.0.1', port: echoPort }, rttMs });
      try {
        const direct = await pingTimes(echoPort, 30);
        const delayed = await pingTimes(proxy.port, 30);
        // Never early. Judged on the best round trips: on a loaded machine most are late by the scheduler's delays,
        // which hit the direct path too. The bound still catches a delay applied twice (≥ 2·rttMs).
        expect(Math.min(...delayed)).toBeGreaterThanOrEqual(rttMs);
        expect(Math.min(...delayed) - Math.min(...direct)).toBeLessThan(1.5 * rttMs + 3);
      } finally {
        await proxy.close();
      }
    },
  );

  it('passes bytes unchanged both ways, in order, and paces them at the rate limit', async () => {
    const rate = 2 << 20;
    const proxy = await DelayProxy.start({
      target: { host: '127.0.0.1', port: echoPort },
      rttMs: 1,
      rateBytesPerSecond: rate,
    });
    try {
      const socket = await open(proxy.port);
      const data = randomBytes(1 << 20);
      const start = performance.now();
      const back = await exchange(socket, data);
      const seconds = (performance.now() - start) / 1000;
      expect(back.equals(data)).toBe(true);
      // Each direction is paced on its own and they overlap: at least one direction's worth of time.
      expect(seconds).toBeGreaterThanOrEqual(data.length / rate - 0.01);
      socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  it('passes a half-close through after the data in flight and closes both sides', async () => {
    const proxy = await DelayProxy.start({ target: { host: '127.0.0.1', port: echoPort }, rttMs: 4 });
    try {
      const socket = await open(proxy.port);
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      const ended = new Promise<void>((resolve) => socket.once('end', resolve));
      const closed = new Promise<void>((resolve) => socket.once('close', resolve));
      socket.end(Buffer.from('last words'));
      // The echo server ends its side when ours ends; the data it echoed arrives before that end.
      await ended;
      expect(Buffer.concat(received).toString()).toBe('last words');
      await closed;
      const deadline = performance.now() + 2000;
      while (proxy.connections > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(proxy.connections).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('resets the client when the server resets', async () => {
    const proxy = await DelayProxy.start({ target: { host: '127.0.0.1', port: echoPort }, rttMs: 2 });
    try {
      const socket = await open(proxy.port);
      await exchange(socket, Buffer.from('x'));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      serverSides.at(-1)!.resetAndDestroy();
      await closed;
      expect(socket.destroyed).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

const unavailable = namespacesUnavailable();
if (unavailable) console.warn(`netlinks: namespace tests skipped: ${unavailable}`);

/** Every namespace name and every link name in the root namespace and in the harness's namespaces. */
function names(): string {
  const ip = (args: string[]) => spawnSync('ip', args, { encoding: 'utf8' }).stdout;
  const namespaces = ip(['-o', 'netns', 'list']);
  const ours = namespaces
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((ns) => ns.startsWith(PREFIX));
  return [namespaces, ip(['-o', 'link']), ...ours.map((ns) => ip(['-n', ns, '-o', 'link']))].join('\n');
}

const ECHO_SERVER = `const net = require('node:net');
const server = net.createServer((s) => s.pipe(s));
server.listen(0, process.argv[1], () => console.log(server.address().port));`;

const PING_CLIENT = `const net = require('node:net');
const s = net.connect({ host: process.argv[1], port: Number(process.argv[2]), noDelay: true }, async () => {
  const times = [];
  for (let k = 0; k < 10; k++) {
    const t = performance.now();
    const back = await new Promise((r) => { s.once('data', r); s.write('ping' + k); });
    if (back.toString() !== 'ping' + k) throw new Error('bad echo ' + back);
    times.push(performance.now() - t);
  }
  console.log(JSON.stringify(times)); s.destroy();
});`;

describe.skipIf(unavailable !== null)('namespace links', () => {
  it('carries traffic from the agent namespace through the proxy across the veth, then removes everything even when the body throws', async () => {
    let made: string[] = [];
    const body = async (links: Links) => {
      expect(links.kind).toBe('namespaces');
      made = (links as NamespaceLinks).names;
      for (const name of made) expect(names()).toContain(name);
      const server = links.spawnEnvSide(process.execPath, ['-e', ECHO_SERVER, links.envHost]);
      const port = Number(await firstLine(server, 20_000));
      // The env namespace is reachable only across the veth: nothing listens on the agent side's loopback.
      const route = [{ target: { host: links.envHost, port }, rttMs: 6 }];
      const proxy = links.spawnAgentSide(process.execPath, ['--import', 'tsx', PROXY_MAIN, JSON.stringify(route)]);
      const [proxyPort] = JSON.parse(await firstLine(proxy, 30_000)) as number[];
      const client = links.spawnAgentSide(process.execPath, ['-e', PING_CLIENT, '127.0.0.1', String(proxyPort)]);
      const times = JSON.parse(await firstLine(client, 20_000)) as number[];
      expect(Math.min(...times)).toBeGreaterThanOrEqual(6);
      throw new Error('body failed on purpose');
    };
    await expect(withLinks(body)).rejects.toThrow('body failed on purpose');
    expect(made).toHaveLength(4);
    const after = names();
    for (const name of made) expect(after).not.toContain(name);
  }, 90_000);

  it('removes its namespaces when its process gets SIGTERM', async () => {
    const script = `import { NamespaceLinks } from ${JSON.stringify(new URL('./links.ts', import.meta.url).pathname)};
const links = NamespaceLinks.create();
console.log(JSON.stringify(links.names));
setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const made = JSON.parse(await firstLine(child, 30_000)) as string[];
      for (const name of made) expect(names()).toContain(name);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      const after = names();
      for (const name of made) expect(after).not.toContain(name);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
