/** Builds what a run needs from its config: the vector envs (embedded or remote) and the policy network. */
import { EmbeddedVectorEnv } from '../client/embedded-vector-env.js';
import { RemoteVectorEnv } from '../client/remote-vector-env.js';
import { ResilientVectorEnv, type ReconnectOptions } from '../client/resilient-vector-env.js';
import type { TrainConfig } from '../config/train-config.js';
import type { VectorEnv } from '../env/vector-env.js';
import { AtariCnnPolicy } from '../policies/atari-cnn-policy.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../policies/mlp-policies.js';
import type { Policy } from '../policies/policy.js';
import { spaceAdapter, type SpaceAdapter } from '../sampling/space-adapter.js';
import type { Tf } from '../tf.js';

export interface EnvOptions {
  /** Shared secret for remote servers. */
  token?: string;
  /**
   * Remote servers: reconnect with backoff after a lost connection and re-collect the interrupted batch
   * (ResilientVectorEnv); false fails the run on the first lost connection. Default: {} (ReconnectOptions defaults).
   */
  reconnect?: ReconnectOptions | false;
}

/**
 * One vector env per server (or one embedded), all in same_step autoreset mode so every step is a real
 * transition. Env slots are seeded seed, seed+1, ... across all of them.
 */
export async function openEnvs(config: TrainConfig, options: EnvOptions = {}): Promise<VectorEnv[]> {
  const make = { envId: config.envId, kwargs: config.envKwargs, numEnvs: config.numEnvs, autoresetMode: 'same_step' as const };
  if (config.servers.length === 0) return [await EmbeddedVectorEnv.make({ ...make, seed: config.seed })];
  const envs: VectorEnv[] = [];
  try {
    for (const [k, url] of config.servers.entries()) {
      const remote = { ...make, seed: config.seed + k * config.numEnvs, token: options.token };
      envs.push(
        options.reconnect === false
          ? await RemoteVectorEnv.connect(url, remote)
          : await ResilientVectorEnv.connect(url, { ...remote, reconnect: options.reconnect ?? {} }),
      );
    }
  } catch (err) {
    await closeEnvs(envs);
    throw err;
  }
  return envs;
}

export async function closeEnvs(envs: VectorEnv[]): Promise<void> {
  await Promise.all(envs.map((env) => env.close().catch(() => undefined)));
}

export function adapterFor(env: VectorEnv): SpaceAdapter {
  return spaceAdapter(env.spec.single_observation_space, env.spec.single_action_space);
}

/** Image observations (height × width × channels) get the paper's CNN; vectors get an MLP. */
export function buildPolicy(tf: Tf, adapter: SpaceAdapter, config: TrainConfig): Policy {
  const { hiddenSizes, activation } = config.policy;
  if (adapter.obsShape.length === 3) {
    if (adapter.actionKind !== 'categorical') throw new Error('image observations need a discrete action space');
    const [h, w, c] = adapter.obsShape;
    return new AtariCnnPolicy(tf, { numActions: adapter.actionSize, obsShape: [h, w, c], seed: config.seed });
  }
  const base = { obsSize: adapter.obsSize, hiddenSizes, activation, seed: config.seed };
  return adapter.actionKind === 'categorical'
    ? new CategoricalMlpPolicy(tf, { ...base, numActions: adapter.actionSize })
    : new GaussianMlpPolicy(tf, { ...base, actionDim: adapter.actionSize });
}
