import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VinegymError } from '@vinegym/protocol';
import { createDefaultRegistry } from '../src/registry.js';
import { DEFAULT_SERVICE_LIMITS, EnvService } from '../src/service.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('EnvService', () => {
  it('has documented default limits', () => {
    const service = new EnvService({ registry: createDefaultRegistry() });
    expect(service.limits).toEqual(DEFAULT_SERVICE_LIMITS);
    expect(DEFAULT_SERVICE_LIMITS).toEqual({
      maxSessions: 16,
      maxTotalSessions: 4096,
      maxEnvsPerSession: 1024,
      maxSnapshotBytes: 16 * 1024 * 1024,
      maxWorkerThreads: 32,
      maxWorkerThreadsPerConnection: 16,
      maxSessionMemoryBytes: 4 * 1024 ** 3,
      maxTotalSessionMemoryBytes: 8 * 1024 ** 3,
      stepTimeoutMs: 60_000,
    });
  });

  it('enforces sessions per owner, total sessions and envs per session', () => {
    const service = new EnvService({
      registry: createDefaultRegistry(),
      limits: { maxSessions: 2, maxTotalSessions: 3, maxEnvsPerSession: 8 },
    });
    const [a, b] = [{}, {}];
    expect(codeOf(() => service.make({ env_id: 'CartPole-v1', num_envs: 9 }, a))).toBe('LIMIT_EXCEEDED');
    service.make({ env_id: 'CartPole-v1', num_envs: 8 }, a);
    service.make({ env_id: 'CartPole-v1' }, a);
    expect(codeOf(() => service.make({ env_id: 'CartPole-v1' }, a))).toBe('LIMIT_EXCEEDED');
    service.make({ env_id: 'CartPole-v1' }, b);
    expect(codeOf(() => service.make({ env_id: 'CartPole-v1' }, b))).toBe('LIMIT_EXCEEDED'); // total
    expect(service.stats()).toMatchObject({ sessions: 3, envs: 10, owners: 2, workerThreads: 0 });
    service.closeAllOwnedBy(a);
    expect(service.stats()).toMatchObject({ sessions: 1, envs: 1, owners: 1 });
    service.make({ env_id: 'CartPole-v1' }, b);
  });

  it('keeps sessions private to their owner and gives random ids', async () => {
    const service = new EnvService({ registry: createDefaultRegistry() });
    const [a, b] = [{}, {}];
    const made = await service.make({ env_id: 'CartPole-v1', num_envs: 2 }, a);
    expect(made.session_id).toMatch(/^[\w-]{16}$/);
    expect((await service.make({ env_id: 'CartPole-v1' }, a)).session_id).not.toBe(made.session_id);
    expect(codeOf(() => service.reset({ session_id: made.session_id }, b))).toBe('UNKNOWN_SESSION');
    expect(codeOf(() => service.close({ session_id: made.session_id }, b))).toBe('UNKNOWN_SESSION');
    expect((await service.reset({ session_id: made.session_id }, a)).env_indices).toEqual([0, 1]);
    service.close({ session_id: made.session_id }, a);
    expect(codeOf(() => service.reset({ session_id: made.session_id }, a))).toBe('UNKNOWN_SESSION');
  });

  it('validates make', () => {
    const service = new EnvService({ registry: createDefaultRegistry() });
    expect(codeOf(() => service.make({ env_id: 'Nope-v1' }, {}))).toBe('UNKNOWN_ENV');
    expect(codeOf(() => service.make({ env_id: 'CartPole-v1', kwargs: { x: 1 } }, {}))).toBe('INVALID_KWARGS');
    expect(codeOf(() => service.make({ env_id: 'CartPole-v1', num_envs: 0 }, {}))).toBe('BAD_REQUEST');
    expect(codeOf(() => service.make({ env_id: 'CartPole-v1', seed: -3 }, {}))).toBe('BAD_REQUEST');
    expect(codeOf(() => service.make({ env_id: 'CartPole-v1', autoreset_mode: 'sometimes' as never }, {}))).toBe(
      'BAD_REQUEST',
    );
    expect(service.stats().sessions).toBe(0);
  });
});

describe('make: which code for which failure (PROTOCOL.md 7.2, 7.3)', () => {
  function errorOf(fn: () => unknown): VinegymError | undefined {
    try {
      fn();
    } catch (error) {
      if (error instanceof VinegymError) return error;
      throw error;
    }
    return undefined;
  }

  it('lists ALE ids the host cannot make; make then fails with ENV_ERROR naming the missing ROM', () => {
    const service = new EnvService({ registry: createDefaultRegistry(), workers: 0 });
    expect(service.list().envs.map((e) => e.id)).toContain('ALE/Pong-v5');
    const empty = mkdtempSync(join(tmpdir(), 'vinegym-no-roms-'));
    const saved = process.env.ALE_PY_ROMS;
    process.env.ALE_PY_ROMS = empty;
    try {
      const error = errorOf(() => service.make({ env_id: 'ALE/Pong-v5' }, {}));
      expect(error?.code).toBe('ENV_ERROR');
      expect(error?.details).toEqual({ rom: 'pong' });
      expect(error?.message).toMatch(/not available/);
    } finally {
      if (saved === undefined) delete process.env.ALE_PY_ROMS;
      else process.env.ALE_PY_ROMS = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('answers INVALID_KWARGS naming the kwarg for contradictory kwargs, and takes ints where numbers are expected', () => {
    const service = new EnvService({ registry: createDefaultRegistry(), workers: 0 });
    const contradiction = errorOf(() => service.make({ env_id: 'ALE/Pong-v5', kwargs: { resize_height: 84 } }, {}));
    expect(contradiction?.code).toBe('INVALID_KWARGS');
    expect(contradiction?.details).toEqual({ key: 'resize_height' });
    const made = service.make({ env_id: 'CartPole-v1', kwargs: { sutton_barto_reward: null } }, {}) as {
      session_id: string;
    };
    expect(made.session_id).toBeTypeOf('string');
    expect(errorOf(() => service.make({ env_id: 'Ant-v5', kwargs: { ctrl_cost_weight: 1 } }, {}))).toBeUndefined(); // an int for a number
  });
});
