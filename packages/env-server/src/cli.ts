#!/usr/bin/env node
/**
 * vinegym-server: serves the built-in envs (and plug-ins) over WebSocket. Prints the ws URL as the first line
 * of stdout (so `--port 0` users can read it); logs go to stderr. SIGINT/SIGTERM close gracefully, exit 0.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPlugin } from './plugin.js';
import { createDefaultRegistry } from './registry.js';
import { limitFlagOptions, limitFlagsHelp, limitsFromFlags } from './limits.js';
import { DEFAULT_PORT, createServer } from './server.js';
import { DEFAULT_WORKERS } from './session-factory.js';

const USAGE = `Usage: vinegym-server [options]

Serves vinegym RL environments over WebSocket (MessagePack, protocol v1) at ws://HOST:PORT/v1/ws,
with GET /healthz, /v1/envs and /metrics on the same port, and a viewer of the live sessions at /viewer
(it needs the token; without --token the server makes one up and prints the viewer's URL with it).

Options:
  --host <host>                          interface to listen on (default 127.0.0.1)
  --port <port>                          TCP port, 0 for any free port (default ${DEFAULT_PORT})
  --token <token>                        shared secret clients must send in hello (default: none;
                                         the VINEGYM_TOKEN environment variable works too)
  --tls-cert <file>                      PEM certificate: serve https/wss (needs --tls-key)
  --tls-key <file>                       PEM private key of --tls-cert
  --model-dir <dir>                      directory whose MJCF files mujoco/custom-v0 may read as xml_path
                                         (default: none, xml_path is refused)
  --plugin <module>                      env plug-in module (path or package); repeatable
  --workers <n>                          worker threads per session of a MuJoCo or Atari env, 0 = in-process
                                         (default: one per core, here ${DEFAULT_WORKERS})
  --no-viewer                            do not serve /viewer and /v1/sessions
  --log-level <level>                    fatal|error|warn|info|debug|trace|silent (default info)
  -h, --help                             show this help

Limits (all reported to clients in hello.limits; PROTOCOL.md section 9):
${limitFlagsHelp()}
`;

function integerOption(values: Record<string, unknown>, name: string, minimum: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new Error(`--${name} must be an integer >= ${minimum}, got ${String(raw)}`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      ...limitFlagOptions(),
      'model-dir': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      plugin: { type: 'string', multiple: true },
      workers: { type: 'string' },
      'log-level': { type: 'string' },
      'no-viewer': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new Error('--tls-cert and --tls-key go together');
  }
  const tls =
    values['tls-cert'] !== undefined && values['tls-key'] !== undefined
      ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) }
      : undefined;
  const limits = limitsFromFlags(values);
  const registry = createDefaultRegistry();
  for (const plugin of values.plugin ?? []) await loadPlugin(registry, plugin);
  const server = await createServer({
    host: values.host,
    port: integerOption(values, 'port', 0),
    token: values.token ?? process.env.VINEGYM_TOKEN,
    ...limits,
    modelDir: values['model-dir'],
    tls,
    registry,
    workers: integerOption(values, 'workers', 0),
    viewer: values['no-viewer'] !== true,
    logger: { level: values['log-level'] ?? 'info', stream: process.stderr },
  });
  const shutdown = (signal: string): void => {
    process.stderr.write(`vinegym-server: ${signal}, closing\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`vinegym-server: error while closing: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  // Before the URL is printed: whoever waits for it (an orchestrator, a test) may signal at once.
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.stdout.write(`${server.url}\n`);
  const envs = registry.list().map((d) => d.id);
  process.stderr.write(`vinegym-server: serving ${envs.join(', ')} at ${server.url}\n`);
  if (server.viewerUrl !== undefined) {
    // The URL holds the token: a server started with --token shows where to put it rather than the token itself.
    const shown =
      (values.token ?? process.env.VINEGYM_TOKEN)
        ? server.viewerUrl.replace(/#token=.*$/, '#token=<your token>')
        : server.viewerUrl;
    process.stderr.write(`vinegym-server: watch the sessions at ${shown}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`vinegym-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
