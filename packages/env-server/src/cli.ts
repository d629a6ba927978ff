#!/usr/bin/env node
/**
 * vinegym-server: serves the built-in envs (and plug-ins) over WebSocket. Prints the ws URL as the first line
 * of stdout (so `--port 0` users can read it); logs go to stderr. SIGINT/SIGTERM close gracefully, exit 0.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPlugin } from './plugin.js';
import { createDefaultRegistry } from './registry.js';
import { DEFAULT_PORT, createServer } from './server.js';
import { DEFAULT_WORKERS } from './session-factory.js';

const USAGE = `Usage: vinegym-server [options]

Serves vinegym RL environments over WebSocket (MessagePack, protocol v1) at ws://HOST:PORT/v1/ws,
with GET /healthz, /v1/envs and /metrics on the same port.

Options:
  --host <host>                  interface to listen on (default 127.0.0.1)
  --port <port>                  TCP port, 0 for any free port (default ${DEFAULT_PORT})
  --token <token>                shared secret clients must send in hello (default: none;
                                 the VINEGYM_TOKEN environment variable works too)
  --max-sessions <n>             sessions per connection (default 16)
  --max-envs-per-session <n>     largest num_envs of a session (default 1024)
  --max-message-bytes <n>        largest incoming message (default 67108864)
  --max-connections <n>          open connections; more get LIMIT_EXCEEDED, close 1013 (default 256)
  --max-snapshot-bytes <n>       largest snapshot restore accepts (default 16777216)
  --max-in-flight <n>            unwritten responses per connection before it stops being read (default 256)
  --idle-timeout <s>             close connections without a request for s seconds, 0 never (default 900)
  --tls-cert <file>              PEM certificate: serve https/wss (needs --tls-key)
  --tls-key <file>               PEM private key of --tls-cert
  --max-worker-threads <n>       worker threads of all sessions together (default 32)
  --max-session-memory-bytes <n> estimated memory of one connection's sessions (default 4294967296)
  --max-total-session-memory-bytes <n>
                                 estimated memory of all sessions (default 8589934592)
  --step-timeout <s>             a step (or other call) on worker threads that takes longer fails
                                 the session with ENV_ERROR and stops its threads, 0 never (default 60)
  --model-dir <dir>              directory whose MJCF files mujoco/custom-v0 may read as xml_path
                                 (default: none, xml_path is refused)
  --max-mjcf-bytes <n>           largest MJCF document, xml or xml_path file (default 1048576)
  --mjcf-compile-timeout <s>     time a client's MJCF may take to compile (default 5)
  --max-mjcf-compile-bytes <n>   memory a client's MJCF may take to compile (default 268435456)
  --max-model-bytes <n>          largest model: estimated bytes of one env of it (default 67108864)
  --plugin <module>              env plug-in module (path or package); repeatable
  --workers <n>                  worker threads per session of a MuJoCo or Atari env, 0 = in-process
                                 (default: one per core, here ${DEFAULT_WORKERS})
  --log-level <level>            fatal|error|warn|info|debug|trace|silent (default info)
  -h, --help                     show this help
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
      'max-sessions': { type: 'string' },
      'max-envs-per-session': { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'max-connections': { type: 'string' },
      'max-snapshot-bytes': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'max-worker-threads': { type: 'string' },
      'max-session-memory-bytes': { type: 'string' },
      'max-total-session-memory-bytes': { type: 'string' },
      'step-timeout': { type: 'string' },
      'model-dir': { type: 'string' },
      'max-mjcf-bytes': { type: 'string' },
      'mjcf-compile-timeout': { type: 'string' },
      'max-mjcf-compile-bytes': { type: 'string' },
      'max-model-bytes': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      plugin: { type: 'string', multiple: true },
      workers: { type: 'string' },
      'log-level': { type: 'string' },
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
  const idleTimeoutS = integerOption(values, 'idle-timeout', 0);
  const stepTimeoutS = integerOption(values, 'step-timeout', 0);
  const compileTimeoutS = integerOption(values, 'mjcf-compile-timeout', 1);
  const registry = createDefaultRegistry();
  for (const plugin of values.plugin ?? []) await loadPlugin(registry, plugin);
  const server = await createServer({
    host: values.host,
    port: integerOption(values, 'port', 0),
    token: values.token ?? process.env.VINEGYM_TOKEN,
    maxSessions: integerOption(values, 'max-sessions', 1),
    maxEnvsPerSession: integerOption(values, 'max-envs-per-session', 1),
    maxMessageBytes: integerOption(values, 'max-message-bytes', 1024),
    maxConnections: integerOption(values, 'max-connections', 1),
    maxSnapshotBytes: integerOption(values, 'max-snapshot-bytes', 1),
    maxInFlight: integerOption(values, 'max-in-flight', 1),
    idleTimeoutMs: idleTimeoutS === undefined ? undefined : idleTimeoutS * 1000,
    maxWorkerThreads: integerOption(values, 'max-worker-threads', 0),
    maxSessionMemoryBytes: integerOption(values, 'max-session-memory-bytes', 1),
    maxTotalSessionMemoryBytes: integerOption(values, 'max-total-session-memory-bytes', 1),
    stepTimeoutMs: stepTimeoutS === undefined ? undefined : stepTimeoutS * 1000,
    modelDir: values['model-dir'],
    mjcf: {
      maxXmlBytes: integerOption(values, 'max-mjcf-bytes', 1),
      compileTimeoutMs: compileTimeoutS === undefined ? undefined : compileTimeoutS * 1000,
      compileMemoryBytes: integerOption(values, 'max-mjcf-compile-bytes', 32 * 1024 * 1024),
      maxModelBytes: integerOption(values, 'max-model-bytes', 1),
    },
    tls,
    registry,
    workers: integerOption(values, 'workers', 0),
    logger: { level: values['log-level'] ?? 'info', stream: process.stderr },
  });
  process.stdout.write(`${server.url}\n`);
  const envs = registry.list().map((d) => d.id);
  process.stderr.write(`vinegym-server: serving ${envs.join(', ')} at ${server.url}\n`);

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
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`vinegym-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
