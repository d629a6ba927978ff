/**
 * What sessions may hold, per owner (connection) and server-wide: session counts, worker threads, estimated memory,
 * and the shared MuJoCo WebAssembly heap. A make reserves a slot before any work (so concurrent makes count), is
 * charged its cost once known, and is released when the session closes or the make fails. Every refusal is a
 * LIMIT_EXCEEDED naming the limit (`details.limit`, `details.max`) before anything is allocated.
 *
 * Memory is an estimate, per env kind (EnvDefinition.prepare: the MuJoCo envs from their compiled model's arena and
 * buffers) plus workerThreadBytes per worker thread. It bounds what a client can make the server allocate;
 * untouched pages never become resident, so the process's RSS stays below it.
 *
 * The MuJoCo heap: mujoco-js's WebAssembly memory cannot grow past 2 GiB per thread. In-process sessions of every
 * connection share the main thread's, so one client's envs could leave another's make with std::bad_alloc; it
 * gets a budget of its own, of which one owner may take a quarter.
 */
import { VinegymError } from '@vinegym/protocol';
import { RUNNING_FROM_SOURCES } from './parallel/slice-worker.js';
import type { EnvOrigin } from './parallel/worker-messages.js';

/**
 * Estimated resident memory of one session worker thread: a V8 isolate, mujoco-js instantiated from the shared
 * compiled module, its 17 MiB initial heap, and the env code. Measured 52–57 MB per thread from the compiled
 * JavaScript and 65–66 MB from the TypeScript sources (bundled, see source-bundle.ts); ~145 MB for a plug-in's
 * thread from the sources, which runs tsx's loader (docs/reliability.md).
 */
export function workerThreadBytes(origin: EnvOrigin): number {
  return (RUNNING_FROM_SOURCES && origin.kind === 'plugin' ? 160 : 80) * 1024 * 1024;
}
/** The part of a thread's 2 GiB MuJoCo heap that envs may be planned to fill (the rest: runtime, fragmentation). */
export const WASM_HEAP_BUDGET_BYTES = 1536 * 1024 * 1024;
/** Share of the main thread's MuJoCo heap one owner's in-process sessions may hold. */
export const WASM_HEAP_OWNER_SHARE = 0.25;

export interface BudgetLimits {
  /** Sessions one owner may hold at once. */
  maxSessions: number;
  /** Sessions all owners together may hold at once. */
  maxTotalSessions: number;
  /** Worker threads of all sessions together. */
  maxWorkerThreads: number;
  /** Worker threads of one owner's sessions. */
  maxWorkerThreadsPerConnection: number;
  /** Estimated bytes of one owner's sessions. */
  maxSessionMemoryBytes: number;
  /** Estimated bytes of all sessions. */
  maxTotalSessionMemoryBytes: number;
}

/** What one session holds. */
export interface SessionCost {
  /** Estimated bytes: envs and worker threads. */
  bytes: number;
  threads: number;
  /** Bytes of the main thread's MuJoCo heap (in-process MuJoCo envs). */
  mainHeapBytes: number;
}

/** One session's claim, from the start of its make until it closes. */
export interface Reservation {
  readonly owner: object;
  cost: SessionCost;
}

const NOTHING: SessionCost = { bytes: 0, threads: 0, mainHeapBytes: 0 };

export class SessionBudget {
  private readonly reservations = new Set<Reservation>();

  constructor(readonly limits: Readonly<BudgetLimits>) {}

  /** Claims a session slot for `owner`; LIMIT_EXCEEDED if it or the server has all its sessions. */
  reserve(owner: object): Reservation {
    const { maxSessions, maxTotalSessions } = this.limits;
    if (this.count((r) => r.owner === owner) >= maxSessions) {
      throw limitExceeded(`this connection already has ${maxSessions} sessions`, 'max_sessions', maxSessions);
    }
    if (this.reservations.size >= maxTotalSessions) {
      throw limitExceeded(
        `the server already has ${maxTotalSessions} sessions`,
        'max_total_sessions',
        maxTotalSessions,
      );
    }
    const reservation: Reservation = { owner, cost: NOTHING };
    this.reservations.add(reservation);
    return reservation;
  }

  /** Sets the reservation's cost, unless that exceeds a budget (LIMIT_EXCEEDED; the reservation is unchanged). */
  charge(reservation: Reservation, cost: SessionCost): void {
    const { maxWorkerThreads, maxWorkerThreadsPerConnection, maxSessionMemoryBytes, maxTotalSessionMemoryBytes } =
      this.limits;
    const others = [...this.reservations].filter((r) => r !== reservation);
    const mine = others.filter((r) => r.owner === reservation.owner);
    const sum = (list: Reservation[], field: keyof SessionCost): number =>
      list.reduce((total, r) => total + r.cost[field], cost[field]);
    if (cost.threads > 0 && sum(mine, 'threads') > maxWorkerThreadsPerConnection) {
      throw limitExceeded(
        `this connection's sessions already use ${sum(mine, 'threads') - cost.threads} of the ${maxWorkerThreadsPerConnection} worker threads a connection may use; this one needs ${cost.threads}`,
        'max_worker_threads_per_connection',
        maxWorkerThreadsPerConnection,
      );
    }
    if (cost.threads > 0 && sum(others, 'threads') > maxWorkerThreads) {
      throw limitExceeded(
        `the server's sessions already use ${sum(others, 'threads') - cost.threads} of its ${maxWorkerThreads} worker threads; this one needs ${cost.threads}`,
        'max_worker_threads',
        maxWorkerThreads,
      );
    }
    if (sum(mine, 'bytes') > maxSessionMemoryBytes) {
      throw limitExceeded(
        `this session needs ~${mib(cost.bytes)} MiB; with this connection's other sessions that exceeds max_session_memory_bytes (${mib(maxSessionMemoryBytes)} MiB)`,
        'max_session_memory_bytes',
        maxSessionMemoryBytes,
      );
    }
    if (sum(others, 'bytes') > maxTotalSessionMemoryBytes) {
      throw limitExceeded(
        `this session needs ~${mib(cost.bytes)} MiB; with the server's other sessions that exceeds max_total_session_memory_bytes (${mib(maxTotalSessionMemoryBytes)} MiB)`,
        'max_total_session_memory_bytes',
        maxTotalSessionMemoryBytes,
      );
    }
    const ownerHeap = Math.floor(WASM_HEAP_BUDGET_BYTES * WASM_HEAP_OWNER_SHARE);
    if (
      cost.mainHeapBytes > 0 &&
      (sum(mine, 'mainHeapBytes') > ownerHeap || sum(others, 'mainHeapBytes') > WASM_HEAP_BUDGET_BYTES)
    ) {
      const max = sum(mine, 'mainHeapBytes') > ownerHeap ? ownerHeap : WASM_HEAP_BUDGET_BYTES;
      throw limitExceeded(
        `this session's envs need ~${mib(cost.mainHeapBytes)} MiB of the in-process MuJoCo heap, which in-process sessions share; ${max === ownerHeap ? 'one connection may hold' : 'all connections together may hold'} ${mib(max)} MiB (run the server with worker threads to lift this)`,
        'wasm_heap_bytes',
        max,
      );
    }
    reservation.cost = cost;
  }

  release(reservation: Reservation): void {
    this.reservations.delete(reservation);
  }

  /** Totals of every reservation. */
  usage(): SessionCost {
    const total = { ...NOTHING };
    for (const { cost } of this.reservations) {
      total.bytes += cost.bytes;
      total.threads += cost.threads;
      total.mainHeapBytes += cost.mainHeapBytes;
    }
    return total;
  }

  private count(match: (reservation: Reservation) => boolean): number {
    let n = 0;
    for (const reservation of this.reservations) if (match(reservation)) n++;
    return n;
  }
}

export function limitExceeded(message: string, limit: string, max: number): VinegymError {
  return new VinegymError('LIMIT_EXCEEDED', message, { limit, max });
}

export function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0);
}
