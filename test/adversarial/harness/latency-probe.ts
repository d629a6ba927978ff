/**
 * Runs legit-client-main.ts in a child process against a running server: one token-holding client per server that
 * steps all along, and reports its latency over windows (one per attack).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ROOT } from './server-under-test.js';

export interface LatencySummary {
  steps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Failed steps by error code (or `timeout`, `closed <code>`). */
  errors: Record<string, number>;
  /** Close code if the server closed the legitimate client's connection. */
  closeCode: number | null;
}

export interface LatencyProbe {
  /** Starts a new window: the steps so far are forgotten. */
  mark(): Promise<void>;
  /** The steps since the last mark; the client keeps stepping. */
  report(): Promise<LatencySummary>;
  /** Stops the client; resolves with the steps since the last mark. */
  stop(): Promise<LatencySummary>;
}

const MAIN = fileURLToPath(new URL('./legit-client-main.ts', import.meta.url));

/** Starts the legitimate client; resolves once it has a session and is stepping. */
export async function startLatencyProbe(url: string, token: string, envId: string): Promise<LatencyProbe> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', MAIN, url, token, envId], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    wake?.();
  });
  const nextLine = async (timeoutMs = 30_000): Promise<string> => {
    const deadline = performance.now() + timeoutMs;
    while (lines.length === 0) {
      if (child.exitCode !== null) throw new Error(`legitimate client exited (${child.exitCode}): ${stderr}`);
      if (performance.now() > deadline) throw new Error(`legitimate client did not answer: ${stderr}`);
      await Promise.race([
        new Promise<void>((resolve) => (wake = resolve)),
        exited,
        new Promise((resolve) => setTimeout(resolve, 100)),
      ]);
    }
    return lines.shift()!;
  };
  const ready = await nextLine(60_000);
  if (ready !== 'ready') throw new Error(`legitimate client said ${ready}: ${stderr}`);
  return {
    mark: async () => {
      child.stdin!.write('mark\n');
      const answer = await nextLine();
      if (answer !== 'marked') throw new Error(`legitimate client said ${answer}`);
    },
    report: async () => {
      child.stdin!.write('report\n');
      return JSON.parse(await nextLine()) as LatencySummary;
    },
    stop: async () => {
      if (child.exitCode !== null) throw new Error(`legitimate client exited (${child.exitCode}): ${stderr}`);
      child.stdin!.write('stop\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return JSON.parse(await nextLine()) as LatencySummary;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
