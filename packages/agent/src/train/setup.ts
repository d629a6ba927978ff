/** Builds what a run needs from its config: the vector envs (embedded or remote) and the policy network. */
import { EmbeddedVectorEnv } from '../client/embedded-vector-env.js';
import { RemoteVectorEnv } from '../client/remote-vector-env.js';
import { ServerDiscovery, parseServerSpec, type Resolver } from '../client/discovery.js';
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
  /** `dns:` servers: how names are looked up, how often again, and how long to wait for the first server. */
  discovery?: { resolver?: Resolver; intervalMs?: number; waitMs?: number };
  /** Lines about servers joining and leaving (discovery). Default: nothing. */
  log?: (line: string) => void;
}

/** How long `openEnvs` waits for a `dns:` name to list a server that answers (pods may still be starting). */
export const DISCOVERY_WAIT_MS = 300_000;

/**
 * One vector env per server (`ws://` or found through `dns:`) and group of its slots (`pipelineGroups`: the groups
 * step in turn, see docs/latency.md), or one embedded; all in same_step autoreset mode so every step is a real
 * transition. Env slots are seeded seed, seed+1, ... across all of them. The `ws://` servers come first, in their
 * order; `dns:<name>:<port>` entries add the servers their names list, and the returned array grows when more
 * appear (ServerDiscovery, client/discovery.ts) until one of its envs is closed.
 */
export async function openEnvs(config: TrainConfig, options: EnvOptions = {}): Promise<VectorEnv[]> {
  const make = {
    envId: config.envId,
    kwargs: config.envKwargs,
    numEnvs: config.numEnvs,
    autoresetMode: 'same_step' as const,
  };
  if (config.servers.length === 0) return [await EmbeddedVectorEnv.make({ ...make, seed: config.seed })];
  const specs = config.servers.map(parseServerSpec);
  const envs: VectorEnv[] = [];
  const sizes = slotGroups(config.numEnvs, config.pipelineGroups);
  /**
   * One session (and connection) per group of a server's slots: the groups step in turn (latency hiding,
   * docs/latency.md). Server k's slots are seeded seed + k·numEnvs onwards, group after group; if a group cannot
   * be opened, those that were are closed.
   */
  const openServer = async <T extends VectorEnv>(
    serverIndex: number,
    connect: (group: typeof make & { seed: number; token?: string }) => Promise<T>,
  ): Promise<T[]> => {
    const groups = await Promise.allSettled(
      sizes.map((numEnvs, g) => {
        const seed = config.seed + serverIndex * config.numEnvs + sizes.slice(0, g).reduce((a, b) => a + b, 0);
        return connect({ ...make, numEnvs, seed, token: options.token });
      }),
    );
    const opened = groups.flatMap((group) => (group.status === 'fulfilled' ? [group.value] : []));
    const failed = groups.find((group) => group.status === 'rejected');
    if (failed) {
      await closeEnvs(opened);
      throw failed.reason;
    }
    return opened;
  };
  let discovery: ServerDiscovery | null = null;
  try {
    const urls = specs.flatMap((spec) => (spec.kind === 'url' ? [spec.url] : []));
    for (const [k, url] of urls.entries()) {
      const reconnect = options.reconnect;
      envs.push(
        ...(await openServer<VectorEnv>(k, (group) =>
          reconnect === false
            ? RemoteVectorEnv.connect(url, group)
            : ResilientVectorEnv.connect(url, { ...group, reconnect: reconnect ?? {} }),
        )),
      );
    }
    const names = specs.flatMap((spec) => (spec.kind === 'dns' ? [spec] : []));
    if (names.length > 0) {
      if (options.reconnect === false)
        throw new Error('dns: servers need reconnection (servers come and go); it is off');
      const reconnect = options.reconnect ?? {};
      discovery = new ServerDiscovery({
        names,
        envs,
        // One attempt: a listed server that does not answer yet is tried again at the next lookup.
        connect: (url, serverIndex) =>
          openServer(serverIndex, (group) =>
            ResilientVectorEnv.connect(url, { ...group, reconnect: { ...reconnect, maxAttempts: 1 } }),
          ),
        resolver: options.discovery?.resolver,
        intervalMs: options.discovery?.intervalMs,
        log: options.log,
      });
      await discovery.start(options.discovery?.waitMs ?? DISCOVERY_WAIT_MS);
    }
  } catch (err) {
    discovery?.stop();
    await closeEnvs(envs);
    throw err;
  }
  return envs;
}

/**
 * The sizes of `groups` groups of `numEnvs` slots, as equal as can be (the first ones one larger), without empty
 * groups: 10 slots in 3 groups are 4, 3, 3.
 */
export function slotGroups(numEnvs: number, groups: number): number[] {
  const count = Math.min(numEnvs, groups);
  return Array.from({ length: count }, (_, g) => Math.floor(numEnvs / count) + (g < numEnvs % count ? 1 : 0));
}

export async function closeEnvs(envs: VectorEnv[]): Promise<void> {
  await Promise.all(envs.map((env) => env.close().catch(() => undefined)));
}

export function adapterFor(env: VectorEnv): SpaceAdapter {
  return spaceAdapter(env.spec.single_observation_space, env.spec.single_action_space);
}

/** Image observations (height × width × channels) get the paper's CNN; vectors get an MLP. */
export function buildPolicy(tf: Tf, adapter: SpaceAdapter, config: TrainConfig): Policy {
  const { hiddenSizes, activation, hostForward, initialLogStd } = config.policy;
  if (adapter.obsShape.length === 3) {
    if (adapter.actionKind !== 'categorical') throw new Error('image observations need a discrete action space');
    const [h, w, c] = adapter.obsShape;
    return new AtariCnnPolicy(tf, { numActions: adapter.actionSize, obsShape: [h, w, c], seed: config.seed });
  }
  const base = { obsSize: adapter.obsSize, hiddenSizes, activation, seed: config.seed, hostForward };
  return adapter.actionKind === 'categorical'
    ? new CategoricalMlpPolicy(tf, { ...base, numActions: adapter.actionSize })
    : new GaussianMlpPolicy(tf, { ...base, actionDim: adapter.actionSize, initialLogStd });
}
