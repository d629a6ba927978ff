/**
 * Server metrics for GET /metrics, through prom-client (Prometheus text exposition format 0.0.4). Each server has
 * its own registry, so two servers in one process do not share counters. The Python bridge exposes the same
 * vinegym_* metrics, with the same names, types and label names, through prometheus-client (checked by
 * test/metrics-parity.test.ts).
 *
 * Counters with a label keep one child per label value, looked up once, so that the request path does no label
 * hashing; gauges are read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_CODES, REQUEST_TYPES } from '@vinegym/protocol';
import type { ErrorCode, RequestType } from '@vinegym/protocol';

/** Why the server refused or cut a connection (vinegym_connections_refused_total). */
export const REFUSAL_REASONS = [
  'max_connections',
  'pending_pool_full',
  'unauthorized',
  'token_backoff',
  'message_too_big',
  'message_timeout',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** vinegym_* metrics of the TypeScript server that the Python bridge does not have. */
export const SERVER_ONLY_METRICS = [
  'vinegym_mujoco_heap_bytes',
  'vinegym_session_memory_estimate_bytes',
  'vinegym_worker_threads',
] as const;

/** Frames that are not a readable request are counted as this request type. */
const INVALID = 'invalid';

/** Upper bounds (seconds) of the step latency histogram buckets; +Inf is implicit. */
export const STEP_LATENCY_BUCKETS = [25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 100e-3, 1];

/** The server's state that the gauges show, read at each scrape. */
export interface MetricsGauges {
  connections: number;
  sessions: number;
  /** Env instances in open sessions. */
  envs: number;
  /** Worker threads of open sessions (and makes in progress). */
  workerThreads: number;
  /** Estimated bytes of open sessions (and makes in progress), as the session budget counts them. */
  sessionMemoryBytes: number;
  /** Size of the main thread's MuJoCo WebAssembly heap (it only grows). */
  mujocoHeapBytes: number;
}

interface Inc {
  inc(value?: number): void;
}

/** One child per label value, all exposed at 0 from the start, so that every series exists before it first counts. */
function children<L extends string>(counter: Counter<string>, label: string, values: readonly L[]): Record<L, Inc> {
  const byValue = {} as Record<L, Inc>;
  for (const value of values) {
    byValue[value] = counter.labels({ [label]: value });
    byValue[value].inc(0);
  }
  return byValue;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Record<RequestType | typeof INVALID, Inc>;
  private readonly refusals: Record<RefusalReason, Inc>;
  private readonly errors: Record<ErrorCode, Inc>;
  private readonly envSteps: Counter<string>;
  private readonly stepLatency: Histogram<string>;

  /** `readGauges` is called at each scrape. */
  constructor(readGauges: () => MetricsGauges) {
    const registers = [this.registry];
    // process_* (resident memory, CPU, fds, start time) and nodejs_* (heap, event loop lag, GC).
    collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string, read: (gauges: MetricsGauges) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(readGauges()));
        },
      });
    gauge('vinegym_connections', 'Open WebSocket connections.', (g) => g.connections);
    gauge('vinegym_sessions', 'Open env sessions.', (g) => g.sessions);
    gauge('vinegym_envs', 'Env instances in open sessions.', (g) => g.envs);
    // The TypeScript server's own resources (the bridge has no worker threads or WebAssembly heap): SERVER_ONLY_METRICS.
    gauge('vinegym_worker_threads', 'Worker threads of open sessions.', (g) => g.workerThreads);
    gauge(
      'vinegym_session_memory_estimate_bytes',
      'Estimated memory of open sessions (the session budget).',
      (g) => g.sessionMemoryBytes,
    );
    gauge('vinegym_mujoco_heap_bytes', "Size of the main thread's MuJoCo WebAssembly heap.", (g) => g.mujocoHeapBytes);
    this.requests = children(
      new Counter({
        name: 'vinegym_requests_total',
        help: 'Frames received other than pongs, by request type (invalid: no readable request).',
        labelNames: ['type'],
        registers,
      }),
      'type',
      [...REQUEST_TYPES, INVALID],
    );
    this.refusals = children(
      new Counter({
        name: 'vinegym_connections_refused_total',
        help: 'Connections refused or cut to protect the server, by reason.',
        labelNames: ['reason'],
        registers,
      }),
      'reason',
      REFUSAL_REASONS,
    );
    this.errors = children(
      new Counter({
        name: 'vinegym_errors_total',
        help: 'Error responses sent, by error code.',
        labelNames: ['code'],
        registers,
      }),
      'code',
      ERROR_CODES,
    );
    this.envSteps = new Counter({
      name: 'vinegym_env_steps_total',
      help: 'Env steps taken (one per env per step request).',
      registers,
    });
    this.stepLatency = new Histogram({
      name: 'vinegym_step_latency_seconds',
      help: 'Time to handle one step request (decode to send).',
      buckets: STEP_LATENCY_BUCKETS,
      registers,
    });
  }

  /** One successful step request that advanced `envCount` envs in `seconds`. */
  recordStep(envCount: number, seconds: number): void {
    this.envSteps.inc(envCount);
    this.stepLatency.observe(seconds);
  }

  /** One frame other than a pong received: a request of `type`, or 'invalid' when no request could be read. */
  recordRequest(type: RequestType | typeof INVALID): void {
    this.requests[type].inc();
  }

  /** One connection refused or cut for `reason`. */
  recordRefusal(reason: RefusalReason): void {
    this.refusals[reason].inc();
  }

  /** One error frame sent. */
  recordError(code: ErrorCode): void {
    this.errors[code].inc();
  }

  /** The Content-Type of what render() returns. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Prometheus text exposition of all metrics, with the gauges read now. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
