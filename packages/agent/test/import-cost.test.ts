/**
 * The agent does not depend on the env server at run time: importing it loads neither MuJoCo, fastify nor the
 * emulator, and the embedded server loads MuJoCo only when a MuJoCo env is made. (How long the import takes is
 * measured by bench/import-cost.ts, not here: speed belongs in benchmarks.)
 */
import { describe, expect, it } from 'vitest';
import { modulesLoadedBy, repoUrl } from './support/module-loads.js';

const HEAVY = [
  /\/mujoco-js\//,
  /\/fastify\//,
  /\/packages\/ale\//,
  /\/packages\/env-server\//,
  /@tensorflow/,
  /\/vega/,
];
const heavyIn = (urls: string[]) => urls.filter((url) => HEAVY.some((pattern) => pattern.test(url)));

describe('importing @vinegym/agent', () => {
  it('loads none of the env server, MuJoCo, fastify, the emulator, TensorFlow or the plotting stack', () => {
    const urls = modulesLoadedBy(`await import(${JSON.stringify(repoUrl('packages/agent/src/index.ts'))});`);
    expect(urls.some((url) => url.endsWith('/packages/agent/src/index.ts'))).toBe(true);
    expect(urls.some((url) => url.endsWith('/packages/rng/src/index.ts'))).toBe(true);
    expect(heavyIn(urls)).toEqual([]);
  }, 120_000);

  it('loads the embedded server only for an embedded env, and MuJoCo only for a MuJoCo env', () => {
    const agent = JSON.stringify(repoUrl('packages/agent/src/index.ts'));
    const cartPole = modulesLoadedBy(
      `const { EmbeddedVectorEnv } = await import(${agent});\n` +
        `const env = await EmbeddedVectorEnv.make({ envId: 'CartPole-v1', numEnvs: 2 }); await env.reset({ seed: 0 }); await env.close();`,
    );
    expect(cartPole.some((url) => url.endsWith('/packages/env-server/src/embedded.ts'))).toBe(true);
    expect(cartPole.filter((url) => /\/mujoco-js\/|\/fastify\//.test(url))).toEqual([]);
    const hopper = modulesLoadedBy(
      `const { EmbeddedVectorEnv } = await import(${agent});\n` +
        `const env = await EmbeddedVectorEnv.make({ envId: 'InvertedPendulum-v5', numEnvs: 1 }, undefined); await env.reset({ seed: 0 }); await env.close(); process.exit(0);`,
    );
    expect(hopper.some((url) => /\/mujoco-js\//.test(url))).toBe(true);
    expect(hopper.filter((url) => /\/fastify\//.test(url))).toEqual([]);
  }, 120_000);
});
