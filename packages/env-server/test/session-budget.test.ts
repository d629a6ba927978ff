/**
 * The session budget: every limit refuses a make with LIMIT_EXCEEDED naming it before anything is built, counts
 * makes in progress, and gives back what a closed session held; and through the service, a make's cost is what
 * its env kind and its threads say.
 */
import { VinegymError } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../src/registry.js';
import { EnvService } from '../src/service.js';
import { SessionBudget, WASM_HEAP_BUDGET_BYTES, WASM_HEAP_OWNER_SHARE } from '../src/session-budget.js';

const MiB = 1024 * 1024;
const LIMITS = {
  maxSessions: 3,
  maxTotalSessions: 5,
  maxWorkerThreads: 6,
  maxWorkerThreadsPerConnection: 4,
  maxSessionMemoryBytes: 300 * MiB,
  maxTotalSessionMemoryBytes: 500 * MiB,
};
const cost = (mib: number, threads = 0, heapMib = 0) => ({ bytes: mib * MiB, threads, mainHeapBytes: heapMib * MiB });

function refusal(fn: () => unknown): Record<string, unknown> | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VinegymError);
    expect((error as VinegymError).code).toBe('LIMIT_EXCEEDED');
    return (error as VinegymError).details;
  }
  return undefined;
}

describe('SessionBudget', () => {
  it('counts sessions per owner and in total, makes in progress included', () => {
    const budget = new SessionBudget(LIMITS);
    const [a, b] = [{}, {}];
    const mine = [budget.reserve(a), budget.reserve(a), budget.reserve(a)];
    expect(refusal(() => budget.reserve(a))).toEqual({ limit: 'max_sessions', max: 3 });
    budget.reserve(b);
    budget.reserve(b);
    expect(refusal(() => budget.reserve(b))).toEqual({ limit: 'max_total_sessions', max: 5 });
    budget.release(mine[0]);
    budget.reserve(b);
  });

  it('caps worker threads per connection and in total, and memory per connection and in total', () => {
    const budget = new SessionBudget({ ...LIMITS, maxSessions: 10, maxTotalSessions: 10 });
    const [a, b, c] = [{}, {}, {}];
    // What the service does: reserve, charge, release when the charge is refused.
    const make = (owner: object, what: ReturnType<typeof cost>) => {
      const reservation = budget.reserve(owner);
      try {
        budget.charge(reservation, what);
      } catch (error) {
        budget.release(reservation);
        throw error;
      }
      return reservation;
    };
    make(a, cost(100, 3));
    expect(refusal(() => make(a, cost(10, 2)))).toEqual({ limit: 'max_worker_threads_per_connection', max: 4 });
    make(b, cost(10, 2));
    expect(refusal(() => make(c, cost(10, 2)))).toEqual({ limit: 'max_worker_threads', max: 6 });
    expect(refusal(() => make(a, cost(250)))).toEqual({ limit: 'max_session_memory_bytes', max: 300 * MiB });
    const big = make(b, cost(250));
    expect(refusal(() => make(c, cost(200)))).toEqual({ limit: 'max_total_session_memory_bytes', max: 500 * MiB });
    expect(budget.usage()).toMatchObject({ threads: 5, bytes: 360 * MiB });
    budget.release(big);
    make(c, cost(200));
  });

  it('lets one owner plan at most a quarter of the shared in-process MuJoCo heap', () => {
    const budget = new SessionBudget({
      ...LIMITS,
      maxSessions: 100,
      maxTotalSessions: 100,
      maxSessionMemoryBytes: 8192 * MiB,
      maxTotalSessionMemoryBytes: 8192 * MiB,
    });
    const share = Math.floor(WASM_HEAP_BUDGET_BYTES * WASM_HEAP_OWNER_SHARE) / MiB;
    const owners = [{}, {}, {}, {}, {}];
    budget.charge(budget.reserve(owners[0]), cost(share, 0, share));
    expect(refusal(() => budget.charge(budget.reserve(owners[0]), cost(1, 0, 1)))).toEqual({
      limit: 'wasm_heap_bytes',
      max: share * MiB,
    });
    for (const owner of owners.slice(1, 4)) budget.charge(budget.reserve(owner), cost(share, 0, share));
    // Four quarters: the heap is planned full, and the next owner is refused with the whole budget as the limit.
    expect(refusal(() => budget.charge(budget.reserve(owners[4]), cost(1, 0, 1)))).toEqual({
      limit: 'wasm_heap_bytes',
      max: WASM_HEAP_BUDGET_BYTES,
    });
  });
});

describe('EnvService charges', () => {
  it('a MuJoCo session its envs and threads, and gives it back at close', async () => {
    const service = new EnvService({ registry: createDefaultRegistry(), workers: 2, limits: { maxWorkerThreads: 3 } });
    const owner = {};
    const made = await service.make({ env_id: 'Hopper-v5', num_envs: 4 }, owner);
    const { workerThreads, sessionMemoryBytes } = service.stats();
    expect(workerThreads).toBe(2);
    // 4 Hopper envs (arena 1 MiB, buffers and model ~20 KB each) and 2 threads of 80 MiB.
    expect(sessionMemoryBytes).toBeGreaterThan(4 * MiB + 160 * MiB);
    expect(sessionMemoryBytes).toBeLessThan(4.2 * MiB + 160 * MiB);
    // Refused before any thread starts (synchronously: the built-in MuJoCo envs prepare without waiting).
    expect(refusal(() => service.make({ env_id: 'Walker2d-v5', num_envs: 2 }, {}))).toEqual({
      limit: 'max_worker_threads',
      max: 3,
    });
    service.close({ session_id: made.session_id }, owner);
    expect(service.stats()).toMatchObject({ workerThreads: 0, sessionMemoryBytes: 0 });
    service.shutdown();
  }, 120_000);
});
