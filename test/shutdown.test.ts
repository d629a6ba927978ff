/**
 * Graceful shutdown through the documented command (PROTOCOL.md 6.1): SIGTERM to `pnpm run server` reaches the
 * server (the script execs node), which answers the requests it received, closes with 1001, exits 0, and executes
 * nothing that arrives after it began closing: the client keeps sending steps until it sees the close frame, and the
 * server's own count of handled requests equals the answers the client got.
 *
 * pnpm is the one running this suite (`pnpm test` sets npm_execpath); run directly under vitest, the test uses the
 * same script through sh, as pnpm would.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, ndarray } from '@vinegym/protocol';
import { ROOT, processTree } from './adversarial/harness/server-under-test.js';

const pnpm = process.env.npm_execpath?.endsWith('pnpm.cjs') ? process.env.npm_execpath : undefined;

function launch(): { command: string; args: string[]; wrapper: string } {
  if (pnpm)
    return { command: process.execPath, args: [pnpm, 'run', 'server', '--port', '0'], wrapper: 'pnpm run server' };
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts.server;
  return { command: 'sh', args: ['-c', `${script} "$@"`, 'server', '--port', '0'], wrapper: 'sh -c <server script>' };
}

describe('shutdown', () => {
  const { command, args, wrapper } = launch();
  it(`SIGTERM to ${wrapper}: requests received are answered, later ones are not executed, close 1001, exit 0`, async () => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL: ${stderr}`)), 60_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('ws://')) return; // pnpm prints the script first
        clearTimeout(timer);
        resolve(line.trim());
      });
    });
    // The server itself: the last node process of the wrapper's tree.
    const serverPid = processTree(child.pid!).find((pid) =>
      /packages\/env-server\/src\/cli\.ts/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')),
    );
    expect(serverPid).toBeDefined();

    const ws = new WebSocket(url, { perMessageDeflate: false });
    const answers: Record<string, any>[] = [];
    let closeCode = 0;
    ws.on('message', (data: Buffer) => answers.push(decodeFrame(data) as Record<string, any>));
    const closed = new Promise<void>((resolve) =>
      ws.on('close', (code) => {
        closeCode = code;
        resolve();
      }),
    );
    await new Promise((resolve) => ws.once('open', resolve));
    let id = 0;
    const send = (type: string, body: object) => ws.send(encodeFrame({ id: ++id, type, body }), { binary: true });
    const waitFor = async (count: number) => {
      while (answers.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    send('hello', { protocol_versions: [1], client: { name: 't', version: '0' } });
    send('make', { env_id: 'CartPole-v1', num_envs: 8, seed: 0 });
    await waitFor(2);
    const sessionId = answers[1].body.session_id as string;
    send('reset', { session_id: sessionId });
    const step = () =>
      send('step', { session_id: sessionId, actions: ndarray('int64', [8], new Array(8).fill(id % 2)) });
    for (let i = 0; i < 200; i++) step();
    await waitFor(4);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM'); // to the wrapper only, as a process manager does
    // Keep sending until the close frame arrives: none of these may be executed after the server began closing.
    let sentAfterSignal = 0;
    while (closeCode === 0 && sentAfterSignal < 20_000) {
      if (ws.readyState === ws.OPEN) {
        step();
        sentAfterSignal++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await closed;
    expect(closeCode).toBe(1001);
    expect(await exited).toBe(0);
    // The server process itself is gone too (no orphan left behind by the wrapper).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && processTree(serverPid!).length > 0 && existsPid(serverPid!))
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsPid(serverPid!)).toBe(false);

    // Every answer is a success, in order, and the server handled exactly the requests it answered.
    expect(answers.map((a) => a.id)).toEqual(answers.map((_, k) => k + 1));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(sentAfterSignal).toBeGreaterThan(0);
    const closedLine = stderr.split('\n').find((line) => line.includes('"msg":"connection closed"'));
    expect(closedLine, stderr).toBeDefined();
    expect(JSON.parse(closedLine!).requests).toBe(answers.length);
    expect(stderr).toMatch(/SIGTERM, closing/);
  }, 90_000);
});

function existsPid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
