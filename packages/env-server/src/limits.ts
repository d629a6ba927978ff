/**
 * Every limit of the server in one table: its default, its CLI flag and help line, and its name in `hello.limits`
 * (PROTOCOL.md section 9). ServerOptions, `vinegym-server --help` and the hello answer all read this table, so a
 * default is written exactly once.
 */
import type { Limits } from '@vinegym/protocol';

export interface ServerLimits {
  /** Sessions one connection may hold at once. */
  maxSessions: number;
  /** Sessions of all connections together. */
  maxTotalSessions: number;
  /** Largest num_envs of one session (it also bounds every list of env indices and seeds in a request). */
  maxEnvsPerSession: number;
  /** Largest snapshot `restore` accepts, in bytes. */
  maxSnapshotBytes: number;
  /** Largest incoming WebSocket message after hello, in bytes; a larger one closes the connection (1009). */
  maxMessageBytes: number;
  /** Connections that completed hello; one more is answered LIMIT_EXCEEDED and closed (1013). */
  maxConnections: number;
  /** Connections that have not completed hello, HTTP ones included; one more drops the oldest of them. */
  maxPendingConnections: number;
  /** Unwritten responses per connection at which the server stops handling and reading its requests. */
  maxInFlight: number;
  /** Unwritten response bytes per connection at which the server stops handling and reading its requests. */
  maxBufferedBytes: number;
  /** Close a connection (4001) after this many ms with nothing but pongs from it; 0: never. */
  idleTimeoutMs: number;
  /** Close a connection (4001) that has not completed hello this many ms after opening; 0: never. */
  helloTimeoutMs: number;
  /** Close a connection (4002) whose message is not complete this many ms after its first byte; 0: never. */
  messageTimeoutMs: number;
  /** Ping period on idle connections in ms; 0 disables pings. Reported as hello's `ping_interval_s`. */
  pingIntervalMs: number;
  /**
   * Close a connection (4000) once a ping has gone unanswered this many ms with nothing else arriving; 0: never.
   * Generous, so that a client whose event loop is busy for minutes (a long policy update) is not taken for dead.
   */
  pingTimeoutMs: number;
  /** Largest incoming message before hello succeeded, in bytes (1009 above it). */
  maxMessageBytesBeforeHello: number;
  /** Decode budget of one frame (PROTOCOL.md 9.1): values, maps and arrays, nesting depth, bytes of one str. */
  maxFrameValues: number;
  maxFrameContainers: number;
  maxFrameDepth: number;
  maxStringBytes: number;
  /** The decode budget before hello succeeded. */
  maxFrameValuesBeforeHello: number;
  maxFrameContainersBeforeHello: number;
  maxFrameDepthBeforeHello: number;
  maxStringBytesBeforeHello: number;
  /** Worker threads of all sessions together; a make needing more gets LIMIT_EXCEEDED. */
  maxWorkerThreads: number;
  /** Worker threads of one connection's sessions, so that one client cannot take every thread. */
  maxWorkerThreadsPerConnection: number;
  /** Estimated bytes of one connection's sessions (envs and worker threads; see session-budget.ts). */
  maxSessionMemoryBytes: number;
  /** Estimated bytes of all sessions together. */
  maxTotalSessionMemoryBytes: number;
  /** Deadline of a call on a session's worker threads (step, reset, ...); past it they are stopped (ENV_ERROR); 0: none. */
  stepTimeoutMs: number;
  /** Largest MJCF document a client may have compiled (mujoco/custom-v0's xml, or an xml_path file), in bytes. */
  maxMjcfBytes: number;
  /** Time a client's MJCF document may take to compile (in a sandbox thread; see mjcf-sandbox.ts). */
  mjcfCompileTimeoutMs: number;
  /** WebAssembly memory a client's MJCF document may take to compile, in bytes. */
  maxMjcfCompileBytes: number;
  /** Largest model an env may be built from: estimated bytes of one env (its MjData and the model). */
  maxModelBytes: number;
}

export interface LimitSpec {
  default: number;
  /** Entry in hello.limits; null: not reported there (ping_interval_s has its own field). */
  wire: keyof Limits | null;
  /** Options hold milliseconds, the wire and the CLI seconds. */
  unit: 'count' | 'bytes' | 'ms';
  /** Smallest accepted value. */
  minimum: number;
  /** CLI flag without the leading dashes. */
  flag: string;
  /** One line of `--help`. */
  help: string;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const LIMIT_SPECS: { readonly [K in keyof ServerLimits]: LimitSpec } = {
  maxSessions: {
    default: 16,
    wire: 'max_sessions',
    unit: 'count',
    minimum: 1,
    flag: 'max-sessions',
    help: 'sessions per connection',
  },
  maxTotalSessions: {
    default: 4096,
    wire: 'max_total_sessions',
    unit: 'count',
    minimum: 1,
    flag: 'max-total-sessions',
    help: 'sessions of all connections together',
  },
  maxEnvsPerSession: {
    default: 1024,
    wire: 'max_envs_per_session',
    unit: 'count',
    minimum: 1,
    flag: 'max-envs-per-session',
    help: 'largest num_envs of a session',
  },
  maxSnapshotBytes: {
    default: 16 * MiB,
    wire: 'max_snapshot_bytes',
    unit: 'bytes',
    minimum: 1,
    flag: 'max-snapshot-bytes',
    help: 'largest snapshot restore accepts',
  },
  maxMessageBytes: {
    default: 64 * MiB,
    wire: 'max_message_bytes',
    unit: 'bytes',
    minimum: 1024,
    flag: 'max-message-bytes',
    help: 'largest incoming message after hello (larger: close 1009)',
  },
  maxConnections: {
    default: 256,
    wire: 'max_connections',
    unit: 'count',
    minimum: 1,
    flag: 'max-connections',
    help: 'connections that completed hello; more get LIMIT_EXCEEDED, close 1013',
  },
  maxPendingConnections: {
    default: 128,
    wire: 'max_pending_connections',
    unit: 'count',
    minimum: 1,
    flag: 'max-pending-connections',
    help: 'connections before hello (and HTTP); more drop the oldest',
  },
  maxInFlight: {
    default: 256,
    wire: 'max_in_flight',
    unit: 'count',
    minimum: 1,
    flag: 'max-in-flight',
    help: 'unwritten responses per connection before it is paused',
  },
  maxBufferedBytes: {
    default: 16 * MiB,
    wire: 'max_buffered_bytes',
    unit: 'bytes',
    minimum: 1,
    flag: 'max-buffered-bytes',
    help: 'unwritten response bytes per connection before it is paused',
  },
  idleTimeoutMs: {
    default: 900_000,
    wire: 'idle_timeout_s',
    unit: 'ms',
    minimum: 0,
    flag: 'idle-timeout',
    help: 'close connections that send nothing for s seconds, 0 never',
  },
  helloTimeoutMs: {
    default: 10_000,
    wire: 'hello_timeout_s',
    unit: 'ms',
    minimum: 0,
    flag: 'hello-timeout',
    help: 'close connections without hello after s seconds, 0 never',
  },
  messageTimeoutMs: {
    default: 30_000,
    wire: 'message_timeout_s',
    unit: 'ms',
    minimum: 0,
    flag: 'message-timeout',
    help: 'close connections whose message takes longer, 0 never',
  },
  pingIntervalMs: {
    default: 30_000,
    wire: null,
    unit: 'ms',
    minimum: 0,
    flag: 'ping-interval',
    help: 'ping connections idle for s seconds, 0 never',
  },
  pingTimeoutMs: {
    default: 300_000,
    wire: 'ping_timeout_s',
    unit: 'ms',
    minimum: 0,
    flag: 'ping-timeout',
    help: 'close connections that answer no ping and send nothing for s seconds, 0 never',
  },
  maxMessageBytesBeforeHello: {
    default: 8192,
    wire: 'max_message_bytes_before_hello',
    unit: 'bytes',
    minimum: 4096,
    flag: 'max-message-bytes-before-hello',
    help: 'largest incoming message before hello',
  },
  maxFrameValues: {
    default: 65_536,
    wire: 'max_frame_values',
    unit: 'count',
    minimum: 64,
    flag: 'max-frame-values',
    help: 'decode budget: values in one frame',
  },
  maxFrameContainers: {
    default: 4096,
    wire: 'max_frame_containers',
    unit: 'count',
    minimum: 8,
    flag: 'max-frame-containers',
    help: 'decode budget: maps and arrays in one frame',
  },
  maxFrameDepth: {
    default: 32,
    wire: 'max_frame_depth',
    unit: 'count',
    minimum: 4,
    flag: 'max-frame-depth',
    help: 'decode budget: nesting depth of one frame',
  },
  maxStringBytes: {
    default: 16 * MiB,
    wire: 'max_string_bytes',
    unit: 'bytes',
    minimum: 1024,
    flag: 'max-string-bytes',
    help: 'decode budget: bytes of one string',
  },
  maxFrameValuesBeforeHello: {
    default: 256,
    wire: 'max_frame_values_before_hello',
    unit: 'count',
    minimum: 64,
    flag: 'max-frame-values-before-hello',
    help: 'decode budget before hello: values',
  },
  maxFrameContainersBeforeHello: {
    default: 16,
    wire: 'max_frame_containers_before_hello',
    unit: 'count',
    minimum: 8,
    flag: 'max-frame-containers-before-hello',
    help: 'decode budget before hello: maps and arrays',
  },
  maxFrameDepthBeforeHello: {
    default: 8,
    wire: 'max_frame_depth_before_hello',
    unit: 'count',
    minimum: 4,
    flag: 'max-frame-depth-before-hello',
    help: 'decode budget before hello: nesting depth',
  },
  maxStringBytesBeforeHello: {
    default: 4096,
    wire: 'max_string_bytes_before_hello',
    unit: 'bytes',
    minimum: 1024,
    flag: 'max-string-bytes-before-hello',
    help: 'decode budget before hello: bytes of one string',
  },
  maxWorkerThreads: {
    default: 32,
    wire: 'max_worker_threads',
    unit: 'count',
    minimum: 0,
    flag: 'max-worker-threads',
    help: 'worker threads of all sessions together',
  },
  maxWorkerThreadsPerConnection: {
    default: 16,
    wire: 'max_worker_threads_per_connection',
    unit: 'count',
    minimum: 0,
    flag: 'max-worker-threads-per-connection',
    help: "worker threads of one connection's sessions",
  },
  maxSessionMemoryBytes: {
    default: 4 * GiB,
    wire: 'max_session_memory_bytes',
    unit: 'bytes',
    minimum: MiB,
    flag: 'max-session-memory-bytes',
    help: "estimated memory of one connection's sessions",
  },
  maxTotalSessionMemoryBytes: {
    default: 8 * GiB,
    wire: 'max_total_session_memory_bytes',
    unit: 'bytes',
    minimum: MiB,
    flag: 'max-total-session-memory-bytes',
    help: 'estimated memory of all sessions',
  },
  stepTimeoutMs: {
    default: 60_000,
    wire: 'step_timeout_s',
    unit: 'ms',
    minimum: 0,
    flag: 'step-timeout',
    help: 'a call on worker threads that takes longer fails its session, 0 never',
  },
  maxMjcfBytes: {
    default: MiB,
    wire: 'max_mjcf_bytes',
    unit: 'bytes',
    minimum: 1024,
    flag: 'max-mjcf-bytes',
    help: 'largest client MJCF document (xml, xml_path file)',
  },
  mjcfCompileTimeoutMs: {
    default: 5000,
    wire: 'mjcf_compile_timeout_s',
    unit: 'ms',
    minimum: 100,
    flag: 'mjcf-compile-timeout',
    help: 'time a client MJCF document may take to compile',
  },
  maxMjcfCompileBytes: {
    default: 256 * MiB,
    wire: 'max_mjcf_compile_bytes',
    unit: 'bytes',
    minimum: 32 * MiB,
    flag: 'max-mjcf-compile-bytes',
    help: 'memory a client MJCF document may take to compile',
  },
  maxModelBytes: {
    default: 64 * MiB,
    wire: 'max_model_bytes',
    unit: 'bytes',
    minimum: MiB,
    flag: 'max-model-bytes',
    help: 'largest model: estimated bytes of one env of it',
  },
};

const NAMES = Object.keys(LIMIT_SPECS) as (keyof ServerLimits)[];

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze(
  Object.fromEntries(NAMES.map((name) => [name, LIMIT_SPECS[name].default])) as unknown as ServerLimits,
);

/** `given` completed with the defaults; throws on a value that is not an integer at or above its minimum. */
export function resolveLimits(given: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of NAMES) {
    const value = given[name];
    if (value === undefined) continue;
    const { minimum } = LIMIT_SPECS[name];
    if (!Number.isSafeInteger(value) || value < minimum)
      throw new RangeError(`${name} must be an integer >= ${minimum}, got ${String(value)}`);
    limits[name] = value;
  }
  return limits;
}

/** The `hello.limits` map: every limit with a wire name, times in seconds. */
export function helloLimits(limits: ServerLimits): Limits {
  const wire: Record<string, number> = {};
  for (const name of NAMES) {
    const spec = LIMIT_SPECS[name];
    if (spec.wire !== null) wire[spec.wire] = spec.unit === 'ms' ? limits[name] / 1000 : limits[name];
  }
  return wire as unknown as Limits;
}

/** `--help` lines of every limit flag, with their defaults. */
export function limitFlagsHelp(): string {
  return NAMES.map((name) => {
    const spec = LIMIT_SPECS[name];
    const arg = spec.unit === 'ms' ? '<s>' : '<n>';
    const shown = spec.unit === 'ms' ? spec.default / 1000 : spec.default;
    return `  ${`--${spec.flag} ${arg}`.padEnd(41)}${spec.help} (default ${shown})`;
  }).join('\n');
}

/** The parseArgs option of every limit flag. */
export function limitFlagOptions(): Record<string, { type: 'string' }> {
  return Object.fromEntries(NAMES.map((name) => [LIMIT_SPECS[name].flag, { type: 'string' as const }]));
}

/** Limits given as CLI flags (strings; seconds for times), checked against their minimums. */
export function limitsFromFlags(values: Record<string, unknown>): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {};
  for (const name of NAMES) {
    const spec = LIMIT_SPECS[name];
    const raw = values[spec.flag];
    if (raw === undefined) continue;
    const number = spec.unit === 'ms' ? Number(raw) * 1000 : Number(raw);
    if (!Number.isSafeInteger(number) || number < spec.minimum) {
      const unit = spec.unit === 'ms' ? ' (seconds, at most 3 decimals)' : '';
      const minimum = spec.unit === 'ms' ? spec.minimum / 1000 : spec.minimum;
      throw new Error(`--${spec.flag} must be a number >= ${minimum}${unit}, got ${String(raw)}`);
    }
    limits[name] = number;
  }
  return limits;
}
