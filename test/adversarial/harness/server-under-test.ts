/**
 * The server an adversarial test attacks, started the documented way: a command in a child process that prints its
 * ws:// URL as the first line of stdout and takes `--port 0 --token T` (with default limits otherwise). The
 * TypeScript server runs the repo's `server` script (what `pnpm server` runs); another server plugs in as a
 * ServerCommand (the Python bridge: `python -m vinegym serve ...`). Every child is killed when the test process exits.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How to start one kind of server. */
export interface ServerCommand {
  /** For test names, e.g. "TypeScript server". */
  name: string;
  /** The command line; it must print the ws:// URL as its first stdout line. */
  argv(options: { token: string; extraArgs: string[] }): { command: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** An env id it serves that steps in well under a millisecond (the legitimate client's workload). */
  envId: string;
}

/** The repo's `pnpm server` script, run by sh with node_modules/.bin on PATH as pnpm runs it (without pnpm itself). */
export function typescriptServer(): ServerCommand {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts.server;
  return {
    name: 'TypeScript server',
    envId: 'CartPole-v1',
    argv: ({ token, extraArgs }) => ({
      command: 'sh',
      args: ['-c', `${script} "$@"`, 'server', '--port', '0', '--token', token, '--log-level', 'warn', ...extraArgs],
      env: { PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` },
    }),
  };
}

export interface RunningServer {
  url: string;
  /** http://host:port of the same server. */
  httpUrl: string;
  token: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Resident memory of the server's process tree (the command and its descendants), in bytes. */
  rssBytes(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) killTree(child.pid, 'SIGKILL');
});

export async function startServer(
  command: ServerCommand,
  options: { token?: string; extraArgs?: string[]; startTimeoutMs?: number } = {},
): Promise<RunningServer> {
  const token = options.token ?? `t-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const { command: file, args, env } = command.argv({ token, extraArgs: options.extraArgs ?? [] });
  const child = spawn(file, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19)); // keep the tail of a chatty server
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${command.name} did not print its URL: ${stderr}`)),
      options.startTimeoutMs ?? 60_000,
    );
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${command.name} exited (${code ?? signal}) before printing its URL: ${stderr}`));
    });
  });
  if (!/^wss?:\/\//.test(url)) throw new Error(`${command.name} printed ${url}, not a ws:// URL`);
  const httpUrl = url.replace(/^ws/, 'http').replace(/\/v1\/ws$/, '');
  return {
    url,
    httpUrl,
    token,
    child,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssBytes: () => treeRssBytes(child.pid!),
    stop: async (graceMs = 10_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        // What an operator does: SIGTERM to the process they started; its whole tree goes if it lingers.
        child.kill('SIGTERM');
        const timer = setTimeout(() => killTree(child.pid, 'SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
}

/** Pids of `pid` and all its descendants (from /proc). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // the process went away meanwhile
    }
  }
  const tree = [pid];
  for (let k = 0; k < tree.length; k++) tree.push(...(parents.get(tree[k]) ?? []));
  return tree;
}

function treeRssBytes(pid: number): number {
  let total = 0;
  for (const member of processTree(pid)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${member}/status`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Signals `pid` and every descendant. */
function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  for (const member of processTree(pid).reverse()) {
    try {
      process.kill(member, signal);
    } catch {
      // already gone
    }
  }
}
