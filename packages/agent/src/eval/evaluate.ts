/**
 * Evaluates a trained policy from a run directory: N episodes with the deterministic policy (mean / most probable
 * action) and N with the stochastic one, optionally saving the frames of the first episode for envs that render.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ObservationNormalizer, type NormalizerState } from '../math/normalizer.js';
import { Rng } from '@vinegym/rng';
import { RunDirectory } from '../run/run-directory.js';
import { loadTf } from '../tf.js';
import { trainConfig } from '../config/train-config.js';
import { namedArrays } from '../run/checkpoint.js';
import { adapterFor, buildPolicy, closeEnvs, openEnvs, type EnvOptions } from '../train/setup.js';
import { encodePng } from './png.js';

export interface EvaluateOptions extends EnvOptions {
  runDir: string;
  episodes: number;
  /** Override the run's servers (default: the ones it trained on, or embedded). */
  servers?: string[];
  /** Directory for PNG frames of the first deterministic episode; omitted = no frames. */
  framesDir?: string;
  seed?: number;
}

export interface EvaluationSummary {
  mode: 'deterministic' | 'stochastic';
  returns: number[];
  lengths: number[];
  mean: number;
  std: number;
}

export async function evaluate(options: EvaluateOptions): Promise<{ iteration: number; results: EvaluationSummary[] }> {
  const { tf } = await loadTf();
  const run = await RunDirectory.open(options.runDir);
  const checkpoint = await run.loadLatestCheckpoint();
  if (!checkpoint) throw new Error(`${run.path} has no checkpoint yet`);
  const seed = options.seed ?? 12_345;
  // The stored config may predate the current key names: it loads through the renamed keys.
  const stored = trainConfig(run.config as Record<string, unknown>);
  const config = { ...stored, numEnvs: 1, seed, servers: options.servers ?? stored.servers.slice(0, 1) };
  const [env, ...rest] = await openEnvs(config, options);
  await closeEnvs(rest);
  const adapter = adapterFor(env);
  const policy = buildPolicy(tf, adapter, config);
  policy.load(namedArrays(checkpoint.state, 'policy'));
  const normalizer = config.observations.normalize ? new ObservationNormalizer(adapter.obsSize) : null;
  normalizer?.restore(checkpoint.state.normalizer as unknown as NormalizerState);
  const noise = new Rng(seed);
  const results: EvaluationSummary[] = [];
  try {
    for (const mode of ['deterministic', 'stochastic'] as const) {
      const returns: number[] = [];
      const lengths: number[] = [];
      for (let episode = 0; episode < options.episodes; episode++) {
        const saveFrames = mode === 'deterministic' && episode === 0 && options.framesDir !== undefined && env.spec.render_supported;
        if (saveFrames) await mkdir(options.framesDir!, { recursive: true });
        let obs = adapter.decodeReset(await env.reset({ seed: seed + episode }));
        let total = 0;
        let length = 0;
        for (;;) {
          if (saveFrames) await writeFile(join(options.framesDir!, `frame-${String(length).padStart(5, '0')}.png`), encodePng(await env.render(0)));
          const act = policy.act(normalizer ? normalizer.normalize(obs) : obs, noise, mode === 'deterministic');
          const step = adapter.decodeStep(await env.step(adapter.envActions(act.actions, 1)));
          total += step.rewards[0];
          length += 1;
          if (step.terminated[0] || step.truncated[0]) break;
          obs = step.obs;
        }
        returns.push(total);
        lengths.push(length);
      }
      const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
      const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
      results.push({ mode, returns, lengths, mean, std });
    }
  } finally {
    policy.dispose();
    await closeEnvs([env]);
  }
  return { iteration: checkpoint.iteration, results };
}
