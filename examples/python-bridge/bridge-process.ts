/**
 * Starts the Python bridge (`.venv/bin/python -m vinegym serve <env> --port 0 ...`) as a child process and waits
 * for the ws URL it prints as its first stdout line. Used by examples/python-bridge/run.ts and bench/bridge.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const VENV_PYTHON = `${REPO_ROOT}.venv/bin/python`;

export interface PythonBridge {
  url: string;
  process: ChildProcess;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

export function requireVenvPython(): string {
  if (!existsSync(VENV_PYTHON)) {
    throw new Error(`${VENV_PYTHON} is missing: run \`pnpm test:setup\` (bash scripts/setup-python.sh) first`);
  }
  return VENV_PYTHON;
}

export async function startPythonBridge(envId: string, extraArgs: string[] = []): Promise<PythonBridge> {
  const child = spawn(requireVenvPython(), ['-m', 'vinegym', 'serve', envId, '--port', '0', ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bridge for ${envId} did not start within 60 s: ${stderr}`)),
      60_000,
    );
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bridge for ${envId} exited with ${String(code)}: ${stderr}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };
  return { url, process: child, stop };
}
