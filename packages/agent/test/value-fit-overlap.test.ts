import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '@vinegym/rng';
import { getFlatParams } from '../src/math/flat.js';
import { trainConfig } from '../src/config/train-config.js';
import { RunDirectory } from '../src/run/run-directory.js';
import { train } from '../src/train/trainer.js';
import { ValueFitThread } from '../src/policies/value-fit-thread.js';
import { ValueFunction } from '../src/policies/value-function.js';
import { tf } from './tf-setup.js';

function batch(seed: number, rows: number, obsSize: number) {
  const rng = new Rng(seed);
  const obs = Float32Array.from({ length: rows * obsSize }, () => rng.normal());
  const targets = Float32Array.from({ length: rows }, (_, i) => Math.sin(3 * obs[i * obsSize]) + obs[i * obsSize + 1]);
  return { obs, targets };
}

const bits = (values: Float32Array[]) => values.map((v) => Array.from(new Uint32Array(v.slice().buffer)));

describe('value fit on a worker thread', () => {
  it('leaves the same weights, Adam moments and generator as the fit in line, to the last bit', async () => {
    const options = { obsSize: 11, hiddenSizes: [64, 64], epochs: 3, minibatchSize: 128, learningRate: 1e-3, seed: 2 };
    const inLine = new ValueFunction(tf, { ...options, overlapFit: false });
    const overlapped = new ValueFunction(tf, { ...options, overlapFit: true });
    try {
      for (let fit = 0; fit < 3; fit++) {
        const { obs, targets } = batch(fit, 700, 11);
        const expected = inLine.fit(obs, targets);
        const pending = overlapped.fitAsync(obs, targets);
        // While the thread owns the state, the value function refuses to be read.
        expect(() => overlapped.predict(obs)).toThrow(/being fitted on its worker thread/);
        const got = await pending;
        expect(got.lossBefore).toBe(expected.lossBefore);
        expect(got.lossAfter).toBe(expected.lossAfter);
        expect(got.fitMs).toBeGreaterThan(0);
        expect(bits(overlapped.serialize())).toEqual(bits(inLine.serialize()));
        const [a, b] = [overlapped.trainingState(), inLine.trainingState()];
        expect(a.rng).toEqual(b.rng);
        expect(a.optimizer.step).toBe(b.optimizer.step);
        expect(bits(a.optimizer.firstMoments)).toEqual(bits(b.optimizer.firstMoments));
        expect(bits(a.optimizer.secondMoments)).toEqual(bits(b.optimizer.secondMoments));
      }
    } finally {
      inLine.dispose();
      overlapped.dispose();
    }
  });

  it('reports a fit that fails on the thread as an error, and fits again afterwards', async () => {
    const thread = new ValueFitThread();
    const settings = {
      sizes: [3, 8, 1],
      activation: 'tanh' as const,
      epochs: 1,
      minibatchSize: 4,
      adam: { learningRate: 1e-2 },
    };
    const state = () => ({
      params: new Float32Array(3 * 8 + 8 + 8 + 1).fill(0.1),
      adamFirst: new Float32Array(41),
      adamSecond: new Float32Array(41),
      adamStep: 0,
      rng: new Rng(1).state(),
    });
    try {
      // 10 observation floats are not rows of 3 for 4 targets: the host fit refuses them on the thread.
      await expect(
        thread.fit({ settings, state: state(), obs: new Float32Array(10), targets: new Float32Array(4) }),
      ).rejects.toThrow(/observation floats/);
      const { obs, targets } = batch(1, 16, 3);
      const given = state();
      const { state: fitted } = await thread.fit({ settings, state: given, obs, targets });
      expect(fitted.adamStep).toBe(4);
      expect(given.adamStep).toBe(0); // the caller's state is left as it was
      expect(Array.from(fitted.params)).not.toEqual(Array.from(given.params));
    } finally {
      await thread.close();
    }
  });
});

describe('training with the value fit overlapped', () => {
  it.each(['CartPole-v1', 'Hopper-v5'])(
    '%s: same seed, the same run as the serial order (every metric but timings, final policy to the last bit)',
    async (envId) => {
      const run = async (overlapFit: boolean) => {
        let policy: Float32Array | null = null;
        const config = trainConfig({
          envId,
          seed: 3,
          iterations: 3,
          numEnvs: 4,
          stepsPerIteration: 256,
          valueFunction: { epochs: 4, minibatchSize: 64, overlapFit },
        });
        const result = await train({
          config,
          runDir: null,
          progress: false,
          onIteration: (_row, agent) => {
            policy = getFlatParams(agent.policy.variables);
          },
        });
        const rows = result.rows.map((row) =>
          Object.fromEntries(Object.entries(row).filter(([name]) => !name.startsWith('time/'))),
        );
        const waits = result.rows.map((row) => row['time/vf_wait_ms']).filter((ms) => ms !== undefined);
        return { rows, policy: policy!, waits };
      };
      const serial = await run(false);
      const overlapped = await run(true);
      expect(overlapped.rows).toEqual(serial.rows);
      expect(bits([overlapped.policy])).toEqual(bits([serial.policy]));
      // Serial: every iteration's fit is reported with it; overlapped: each fit with the iteration that awaited it,
      // the last one with none (the run ends while it runs; a checkpoint would await it).
      expect(serial.waits).toHaveLength(3);
      expect(overlapped.waits).toHaveLength(2);
      expect(overlapped.waits.every((ms) => ms >= 0)).toBe(true);
    },
    // Two short runs each, but MuJoCo's worker threads start per run and CI machines are shared.
    180_000,
  );

  it("checkpoints the fitted value function: a fit in flight is awaited, the checkpoint is the serial run's", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vinegym-overlap-'));
    try {
      const checkpoint = async (overlapFit: boolean) => {
        const runDir = join(dir, String(overlapFit));
        const config = trainConfig({
          seed: 1,
          iterations: 2,
          numEnvs: 4,
          stepsPerIteration: 256,
          checkpointEvery: 1,
          valueFunction: { epochs: 2, minibatchSize: 64, overlapFit },
        });
        await train({ config, runDir, progress: false });
        const state = (await (await RunDirectory.open(runDir)).loadLatestCheckpoint())!.state;
        const { counters: _counters, ...rest } = state; // counters hold the wall time
        return rest;
      };
      const [serial, overlapped] = [await checkpoint(false), await checkpoint(true)];
      expect(Object.keys(serial).some((key) => key.includes('value_adam_m'))).toBe(true);
      expect(overlapped).toEqual(serial);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
