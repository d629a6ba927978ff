/**
 * The Python bridge as a server under attack, started the documented way: `.venv/bin/python -m vinegym serve
 * CartPole-v1 --port 0 --token T` (bridges/python/README.md), default limits otherwise. Needs the repo's .venv with
 * the bridge installed (`pnpm test:setup`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type ServerCommand } from './server-under-test.js';

export function pythonBridge(): ServerCommand {
  const python = join(ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run \`pnpm test:setup\` first`);
  return {
    name: 'Python bridge',
    envId: 'CartPole-v1',
    argv: ({ token, extraArgs }) => ({
      command: python,
      args: ['-m', 'vinegym', 'serve', 'CartPole-v1', '--port', '0', '--token', token, ...extraArgs],
    }),
  };
}
