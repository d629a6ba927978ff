/**
 * The TypeScript TRPO agent training against Gymnasium envs served by the Python bridge (bridges/python):
 *
 * 1. CartPole-v1: `.venv/bin/python -m vinegym serve CartPole-v1`, TRPO single path + GAE, default config, seed 0,
 *    up to 100k env steps; reports when the mean return (last 10 episodes) first reached 475.
 * 2. ALE/Pong-v5: the bridge with `--atari-preprocess` (grayscale, 52×40, last 4 frames stacked → [52, 40, 4]
 *    uint8 observations, which get the paper's CNN policy), 3 iterations of TRPO with the vine sampler, whose
 *    rollouts restore bridge snapshots of the rollout-set states.
 *
 *   pnpm example:python-bridge          (needs .venv: pnpm test:setup)
 *
 * Run directories go to examples/python-bridge/runs/.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { train, trainConfig, type TrainConfigOverrides } from '@vinegym/agent';
import { startPythonBridge, type PythonBridge } from './bridge-process.js';

const OUT = fileURLToPath(new URL('./runs/', import.meta.url));
const CARTPOLE_THRESHOLD = 475;

export const CARTPOLE_SETUP: TrainConfigOverrides = { envId: 'CartPole-v1', seed: 0, totalSteps: 100_000 };

export const PONG_BRIDGE_ARGS = ['--atari-preprocess'];
export const PONG_SETUP: TrainConfigOverrides = {
  envId: 'ALE/Pong-v5',
  seed: 0,
  sampler: 'vine',
  numEnvs: 4,
  iterations: 3,
  totalSteps: null,
  vine: { rolloutSetSize: 8, actionsPerState: 4, rolloutLength: 20, trunkSteps: 128 },
};

async function withBridge<T>(envId: string, args: string[], body: (bridge: PythonBridge) => Promise<T>): Promise<T> {
  const bridge = await startPythonBridge(envId, args);
  console.log(`bridge: ${envId} ${args.join(' ')} at ${bridge.url} (pid ${bridge.process.pid})`);
  try {
    return await body(bridge);
  } finally {
    await bridge.stop();
  }
}

async function cartPole(): Promise<string> {
  console.log('\n## 1. CartPole-v1 served by the Python bridge: TRPO single path + GAE, default config, seed 0\n');
  return withBridge('CartPole-v1', [], async (bridge) => {
    const result = await train({
      config: trainConfig({ ...CARTPOLE_SETUP, servers: [bridge.url] }),
      runDir: join(OUT, 'cartpole-single-path-seed0'),
    });
    const reached = result.rows.find((row) => row['rollout/ep_return_mean'] >= CARTPOLE_THRESHOLD);
    const last = result.rows.at(-1)!;
    return reached
      ? `CartPole-v1: mean return ≥ ${CARTPOLE_THRESHOLD} first at iteration ${reached.iteration}, ${reached.env_steps} env steps, ${reached['time/wall_s'].toFixed(1)} s; ` +
          `final mean return ${result.finalReturnMean.toFixed(1)} after ${result.envSteps} env steps, ${last['time/wall_s'].toFixed(1)} s`
      : `CartPole-v1: mean return ${CARTPOLE_THRESHOLD} not reached within ${result.envSteps} env steps (final ${result.finalReturnMean.toFixed(1)}, ${last['time/wall_s'].toFixed(1)} s)`;
  });
}

async function pong(): Promise<string> {
  console.log(
    '\n## 2. ALE/Pong-v5 served by the Python bridge with --atari-preprocess: TRPO vine, CNN policy, 3 iterations\n',
  );
  return withBridge('ALE/Pong-v5', PONG_BRIDGE_ARGS, async (bridge) => {
    const result = await train({
      config: trainConfig({ ...PONG_SETUP, servers: [bridge.url] }),
      runDir: join(OUT, 'pong-vine-seed0'),
    });
    const last = result.rows.at(-1)!;
    return `ALE/Pong-v5: ${result.iterations} vine iterations, ${result.envSteps} env steps (trunk + rollouts), ${last['time/wall_s'].toFixed(1)} s`;
  });
}

await rm(OUT, { recursive: true, force: true });
const summary = [await cartPole(), await pong()];
console.log(`\n${summary.join('\n')}`);
