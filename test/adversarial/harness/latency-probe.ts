/** Runs legit-client-main.ts in a child process against a running server and collects its latency summary. */
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
  /** Stops stepping and returns the summary of every step since start. */
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
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`legitimate client exited (${code}): ${stderr}`)));
    });
  const ready = await nextLine();
  if (ready !== 'ready') throw new Error(`legitimate client said ${ready}: ${stderr}`);
  return {
    stop: async () => {
      const summary = nextLine();
      child.stdin!.write('stop\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return JSON.parse(await summary) as LatencySummary;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
