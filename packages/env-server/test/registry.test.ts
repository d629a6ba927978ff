import { VinegymError } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import type { EnvDefinition } from '../src/env.js';
import { CartPoleEnv } from '../src/envs/cartpole.js';
import { loadPlugin } from '../src/plugin.js';
import { ENV_ID_PATTERN, EnvRegistry, createDefaultRegistry, validateKwargs } from '../src/registry.js';
import { fileURLToPath } from 'node:url';

const PLUGIN = fileURLToPath(new URL('../../../examples/plugin/pendulum-plugin.ts', import.meta.url));

function definition(id: string, kwargs: EnvDefinition['kwargs'] = {}): EnvDefinition {
  return { id, description: 'test', kwargs, maxEpisodeSteps: 10, create: () => new CartPoleEnv() };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof VinegymError ? `${error.code}:${String(error.details?.key ?? '')}` : 'other';
  }
  return undefined;
}

describe('EnvRegistry', () => {
  it('registers the built-ins', () => {
    const registry = createDefaultRegistry();
    const steps = Object.fromEntries(registry.list().map((d) => [d.id, d.max_episode_steps]));
    expect(steps).toMatchObject({ 'CartPole-v0': 200, 'CartPole-v1': 500, 'Hopper-v5': 1000, 'Humanoid-v5': 1000 });
    expect(registry.has('CartPole-v1')).toBe(true);
    expect(registry.get('CartPole-v1').kwargs.sutton_barto_reward).toMatchObject({ type: 'boolean', default: false });
  });

  it('answers UNKNOWN_ENV for an unknown id', () => {
    expect(() => createDefaultRegistry().get('Nope-v0')).toThrow(expect.objectContaining({ code: 'UNKNOWN_ENV' }));
  });

  it('accepts Gymnasium ids and rejects others and duplicates', () => {
    for (const id of ['CartPole-v1', 'ALE/Pong-v5', 'my_ns:x/Thing', 'Env.v2-v0'])
      expect(ENV_ID_PATTERN.test(id)).toBe(true);
    for (const id of ['', 'bad id', 'a/b/c', 'x/']) expect(ENV_ID_PATTERN.test(id)).toBe(false);
    const registry = new EnvRegistry();
    expect(() => registry.register(definition('has space-v0'))).toThrow(/invalid env id/);
    registry.register(definition('Thing-v0'));
    expect(() => registry.register(definition('Thing-v0'))).toThrow(/already registered/);
  });
});

describe('validateKwargs', () => {
  const def = definition('K-v0', {
    rate: { type: 'number', default: 0.5, minimum: 0, maximum: 1, description: '' },
    count: { type: 'integer', default: 3, minimum: 1, description: '' },
    flag: { type: 'boolean', default: false, description: '' },
    mode: { type: 'string', default: 'a', enum: ['a', 'b'], description: '' },
    opt: { type: 'number', default: null, description: '' },
  });

  it('fills defaults, for omitted and null kwargs alike (PROTOCOL.md 7.3)', () => {
    expect(validateKwargs(def, undefined)).toEqual({ rate: 0.5, count: 3, flag: false, mode: 'a', opt: null });
    expect(validateKwargs(def, { rate: null, opt: null })).toEqual(validateKwargs(def, {}));
    expect(validateKwargs(def, { rate: 0.5, count: 3 })).toEqual(validateKwargs(def, {}));
    expect(validateKwargs(def, { rate: 1, mode: 'b', opt: 2 })).toEqual({
      rate: 1,
      count: 3,
      flag: false,
      mode: 'b',
      opt: 2,
    });
  });

  it('rejects unknown keys, wrong types and out-of-range values naming the key', () => {
    expect(codeOf(() => validateKwargs(def, { nope: 1 }))).toBe('INVALID_KWARGS:nope');
    expect(codeOf(() => validateKwargs(def, { rate: 'x' }))).toBe('INVALID_KWARGS:rate');
    expect(codeOf(() => validateKwargs(def, { rate: 1.5 }))).toBe('INVALID_KWARGS:rate');
    expect(codeOf(() => validateKwargs(def, { count: 2.5 }))).toBe('INVALID_KWARGS:count');
    expect(codeOf(() => validateKwargs(def, { count: 0 }))).toBe('INVALID_KWARGS:count');
    expect(codeOf(() => validateKwargs(def, { flag: 1 }))).toBe('INVALID_KWARGS:flag');
    expect(codeOf(() => validateKwargs(def, { mode: 'c' }))).toBe('INVALID_KWARGS:mode');
    expect(codeOf(() => validateKwargs(def, [1]))).toBe('INVALID_KWARGS:');
    expect(
      codeOf(() => validateKwargs(createDefaultRegistry().get('CartPole-v1'), { sutton_barto_reward: 'yes' })),
    ).toBe('INVALID_KWARGS:sutton_barto_reward');
  });

  it('bounds every numeric kwarg of every built-in env, so no kwarg can ask for unbounded work', () => {
    const registry = createDefaultRegistry();
    for (const env of registry.list()) {
      for (const [key, spec] of Object.entries(env.kwargs)) {
        if (spec.type !== 'number' && spec.type !== 'integer') continue;
        const where = `${env.id} ${key}`;
        expect(Number.isFinite(spec.minimum), where).toBe(true);
        expect(Number.isFinite(spec.maximum), where).toBe(true);
        if (spec.default !== null) expect(spec.default, where).toBeLessThanOrEqual(spec.maximum!);
      }
    }
    const hopper = registry.get('Hopper-v5');
    expect(codeOf(() => validateKwargs(hopper, { frame_skip: 1e12 }))).toBe('INVALID_KWARGS:frame_skip');
    expect(codeOf(() => validateKwargs(hopper, { ctrl_cost_weight: Infinity }))).toBe(
      'INVALID_KWARGS:ctrl_cost_weight',
    );
    expect(codeOf(() => validateKwargs(hopper, { healthy_z_max: -Infinity }))).toBe('INVALID_KWARGS:healthy_z_max');
    expect(codeOf(() => validateKwargs(registry.get('ALE/Pong-v5'), { frameskip: 1e12 }))).toBe(
      'INVALID_KWARGS:frameskip',
    );
    expect(codeOf(() => validateKwargs(registry.get('mujoco/custom-v0'), { xml: '<mujoco/>', frame_skip: 101 }))).toBe(
      'INVALID_KWARGS:frame_skip',
    );
  });
});

describe('loadPlugin', () => {
  it('registers the example Pendulum plug-in', async () => {
    const registry = createDefaultRegistry();
    expect(await loadPlugin(registry, PLUGIN)).toEqual(['Pendulum-v1']);
    const env = registry.get('Pendulum-v1').create(validateKwargs(registry.get('Pendulum-v1'), {}));
    const { observation } = env.reset(0);
    expect((observation as { shape: number[] }).shape).toEqual([3]);
    const out = env.step({ dtype: 'float32', shape: [1], data: Float32Array.of(1) });
    expect(out.reward).toBeLessThanOrEqual(0);
  });

  it('accepts a function export and rejects modules without envs', async () => {
    const registry = new EnvRegistry();
    const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
    expect(await loadPlugin(registry, './function-plugin.ts', { cwd: dir })).toEqual(['Fixture-v0']);
    await expect(loadPlugin(registry, './empty-plugin.ts', { cwd: dir })).rejects.toThrow(/must export/);
  });
});
