/**
 * Server metrics in Prometheus text format (exposition format 0.0.4). Counters are plain numbers updated
 * on the request path (no allocation); the text is built only when /metrics is scraped.
 */
import { REQUEST_TYPES } from '@vinegym/protocol';
import type { ErrorCode, RequestType } from '@vinegym/protocol';

/** Why the server refused or cut a connection (vinegym_connections_refused_total). */
export type RefusalReason =
  | 'max_connections'
  | 'pending_pool_full'
  | 'unauthorized'
  | 'token_backoff'
  | 'message_too_big'
  | 'message_timeout';

/** Frames that are not a readable request are counted as this request type. */
const INVALID = 'invalid';

/** Upper bounds (seconds) of the step latency histogram buckets; +Inf is implicit. */
export const STEP_LATENCY_BUCKETS = [25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 100e-3, 1];

export interface MetricsGauges {
  connections: number;
  sessions: number;
  /** Env instances in open sessions. */
  envs?: number;
  /** process.memoryUsage() of the server process, read at scrape time. */
  memory?: NodeJS.MemoryUsage;
  /** Worker threads of open sessions (and makes in progress). */
  workerThreads?: number;
  /** Estimated bytes of open sessions (and makes in progress), as the session budget counts them. */
  sessionMemoryBytes?: number;
  /** Size of the main thread's MuJoCo WebAssembly heap (it only grows). */
  mujocoHeapBytes?: number;
}

export class ServerMetrics {
  private envSteps = 0;
  private readonly requests: Record<string, number> = Object.fromEntries([...REQUEST_TYPES, INVALID].map((type) => [type, 0]));
  private readonly errors = new Map<ErrorCode, number>();
  private readonly refusals = new Map<RefusalReason, number>();
  private readonly latencyBuckets = new Float64Array(STEP_LATENCY_BUCKETS.length);
  private latencyCount = 0;
  private latencySum = 0;

  /** One successful step request that advanced `envCount` envs in `seconds`. */
  recordStep(envCount: number, seconds: number): void {
    this.envSteps += envCount;
    this.latencyCount++;
    this.latencySum += seconds;
    for (let b = 0; b < STEP_LATENCY_BUCKETS.length; b++) {
      if (seconds <= STEP_LATENCY_BUCKETS[b]) {
        this.latencyBuckets[b]++;
        break;
      }
    }
  }

  /** One frame other than a pong received: a request of `type`, or 'invalid' when no request could be read. */
  recordRequest(type: RequestType | typeof INVALID): void {
    this.requests[type]++;
  }

  /** One connection refused or cut for `reason`. */
  recordRefusal(reason: RefusalReason): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  /** One error frame sent. */
  recordError(code: ErrorCode): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Prometheus text exposition of all metrics, with the gauges read at scrape time. */
  render(gauges: MetricsGauges): string {
    const lines = [
      '# HELP vinegym_connections Open WebSocket connections.',
      '# TYPE vinegym_connections gauge',
      `vinegym_connections ${gauges.connections}`,
      '# HELP vinegym_sessions Open env sessions.',
      '# TYPE vinegym_sessions gauge',
      `vinegym_sessions ${gauges.sessions}`,
      ...(gauges.envs === undefined ? [] : ['# HELP vinegym_envs Env instances in open sessions.', '# TYPE vinegym_envs gauge', `vinegym_envs ${gauges.envs}`]),
      ...gauge('vinegym_worker_threads', 'Worker threads of open sessions.', gauges.workerThreads),
      ...gauge('vinegym_session_memory_estimate_bytes', 'Estimated memory of open sessions (the session budget).', gauges.sessionMemoryBytes),
      ...gauge('vinegym_mujoco_heap_bytes', "Size of the main thread's MuJoCo WebAssembly heap.", gauges.mujocoHeapBytes),
      ...(gauges.memory === undefined
        ? []
        : [
            '# HELP process_resident_memory_bytes Resident set size of the server process.',
            '# TYPE process_resident_memory_bytes gauge',
            `process_resident_memory_bytes ${gauges.memory.rss}`,
            '# HELP nodejs_heap_used_bytes V8 heap in use.',
            '# TYPE nodejs_heap_used_bytes gauge',
            `nodejs_heap_used_bytes ${gauges.memory.heapUsed}`,
            '# HELP nodejs_external_memory_bytes Memory of C++ objects bound to JavaScript objects (incl. array buffers).',
            '# TYPE nodejs_external_memory_bytes gauge',
            `nodejs_external_memory_bytes ${gauges.memory.external}`,
          ]),
      '# HELP vinegym_requests_total Frames received other than pongs, by request type (invalid: no readable request).',
      '# TYPE vinegym_requests_total counter',
      ...Object.entries(this.requests).map(([type, count]) => `vinegym_requests_total{type="${type}"} ${count}`),
      '# HELP vinegym_connections_refused_total Connections refused or cut to protect the server, by reason.',
      '# TYPE vinegym_connections_refused_total counter',
      ...[...this.refusals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, count]) => `vinegym_connections_refused_total{reason="${reason}"} ${count}`),
      '# HELP vinegym_env_steps_total Env steps taken (one per env per step request).',
      '# TYPE vinegym_env_steps_total counter',
      `vinegym_env_steps_total ${this.envSteps}`,
      '# HELP vinegym_errors_total Error responses sent, by error code.',
      '# TYPE vinegym_errors_total counter',
    ];
    for (const [code, count] of [...this.errors].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`vinegym_errors_total{code="${code}"} ${count}`);
    }
    lines.push(
      '# HELP vinegym_step_latency_seconds Time to handle one step request (decode to send).',
      '# TYPE vinegym_step_latency_seconds histogram',
    );
    let cumulative = 0;
    STEP_LATENCY_BUCKETS.forEach((bound, b) => {
      cumulative += this.latencyBuckets[b];
      lines.push(`vinegym_step_latency_seconds_bucket{le="${bound}"} ${cumulative}`);
    });
    lines.push(
      `vinegym_step_latency_seconds_bucket{le="+Inf"} ${this.latencyCount}`,
      `vinegym_step_latency_seconds_sum ${this.latencySum}`,
      `vinegym_step_latency_seconds_count ${this.latencyCount}`,
    );
    return lines.join('\n') + '\n';
  }
}

/** The lines of one gauge, or none when its value is not known. */
function gauge(name: string, help: string, value: number | undefined): string[] {
  return value === undefined ? [] : [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`];
}
