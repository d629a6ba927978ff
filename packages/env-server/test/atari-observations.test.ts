/**
 * Atari observations written in place: sessions fill their batch rows through AtariEnv.stepInto (in-process
 * rows, worker shared memory), with the fast RGB conversion and the one-pass preprocessing. Each row is checked
 * against a plain reference computed here from a separate emulator stepped in lockstep: palette lookups byte by
 * byte, max of the last two frames, rounded block averages, a stack of the last k frames. same_step autoreset
 * checks the final observation (a copy of the row) and the reset observation in the row. Needs ale-py's ROMs.
 */
import { AleEnv } from '@vinegym/ale';
import { ndarray } from '@vinegym/protocol';
import type { NDArray, StepResult } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../src/registry.js';
import { EnvService } from '../src/service.js';

const SEED = 5;
const NUM_ENVS = 2;
const STEPS = 12;
/** Frames per episode: with frameskip 4, episodes are truncated every 10 steps. */
const FRAMES_PER_EPISODE = 40;

interface Reference {
  /** Observation after a reset (seeded or not). */
  reset(seed?: number): Uint8Array;
  /** Observation, reward and flags after a step. */
  step(action: number): { observation: Uint8Array; reward: number; terminated: boolean; truncated: boolean };
}

/** A plain reimplementation of the env's observation for `kwargs`, over its own AleEnv. */
function reference(kwargs: Record<string, unknown>): Reference {
  const obsType = (kwargs.obs_type as 'rgb' | 'grayscale' | 'ram' | undefined) ?? 'rgb';
  const ale = new AleEnv({
    game: 'pong',
    obsType,
    repeatActionProbability: 0.25,
    maxNumFramesPerEpisode: FRAMES_PER_EPISODE,
  });
  const machine = () => ale.ale.machine;
  const factor = (kwargs.downsample as number | undefined) ?? 1;
  const stackSize = (kwargs.frame_stack as number | undefined) ?? 1;
  const maxPool = kwargs.max_pool === true;
  const preprocessing = factor !== 1 || stackSize !== 1 || maxPool;
  const channels = obsType === 'grayscale' ? 1 : 3;
  const penultimate = new Uint8Array(160 * 210);
  let stack: Uint8Array[] = [];

  const colour = (index: number, ch: number) =>
    channels === 1 ? machine().palette.gray[index]! : machine().palette.rgb[index * 3 + ch]!;
  const raw = (): Uint8Array => {
    if (obsType === 'ram') return machine().riot.ram.slice();
    const screen = machine().screen();
    const out = new Uint8Array(screen.length * channels);
    for (let i = 0; i < screen.length; i++)
      for (let ch = 0; ch < channels; ch++) out[i * channels + ch] = colour(screen[i]!, ch);
    return out;
  };
  const frame = (previous: Uint8Array | null): Uint8Array => {
    const screen = machine().screen();
    const h = Math.floor(210 / factor);
    const w = Math.floor(160 / factor);
    const out = new Uint8Array(h * w * channels);
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        for (let ch = 0; ch < channels; ch++) {
          let sum = 0;
          for (let y = oy * factor; y < (oy + 1) * factor; y++) {
            for (let x = ox * factor; x < (ox + 1) * factor; x++) {
              const v = colour(screen[y * 160 + x]!, ch);
              sum += previous && maxPool ? Math.max(v, colour(previous[y * 160 + x]!, ch)) : v;
            }
          }
          out[(oy * w + ox) * channels + ch] = Math.floor((sum + ((factor * factor) >> 1)) / (factor * factor));
        }
      }
    }
    return out;
  };
  const stacked = (): Uint8Array => {
    const pixels = stack[0]!.length / channels;
    const out = new Uint8Array(stack[0]!.length * stackSize);
    stack.forEach((f, s) => {
      for (let p = 0; p < pixels; p++)
        for (let ch = 0; ch < channels; ch++) out[(p * stackSize + s) * channels + ch] = f[p * channels + ch]!;
    });
    return out;
  };
  return {
    reset(seed) {
      ale.reset(seed);
      if (!preprocessing) return raw();
      stack = Array.from({ length: stackSize }, () => frame(null));
      return stacked();
    },
    step(action) {
      const reward = ale.act(action, preprocessing ? penultimate : undefined);
      let observation: Uint8Array;
      if (!preprocessing) observation = raw();
      else {
        stack = [...stack.slice(1), frame(penultimate)];
        observation = stacked();
      }
      return { observation, reward, terminated: ale.terminated, truncated: ale.truncated };
    },
  };
}

/** -1 when equal, else the first index where they differ (or the shorter length); deep equality is slow on frames. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (Buffer.compare(a, b) === 0) return -1;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

async function checkAgainstReference(kwargs: Record<string, unknown>, workers: number): Promise<void> {
  const service = new EnvService({ registry: createDefaultRegistry(), workers });
  const owner = {};
  const made = await service.make(
    {
      env_id: 'ALE/Pong-v5',
      kwargs: { ...kwargs, max_num_frames_per_episode: FRAMES_PER_EPISODE },
      num_envs: NUM_ENVS,
      seed: SEED,
      autoreset_mode: 'same_step',
    },
    owner,
  );
  const size = (made.single_observation_space as { shape: number[] }).shape.reduce((a, b) => a * b, 1);
  const refs = Array.from({ length: NUM_ENVS }, () => reference(kwargs));
  try {
    const reset = await service.reset({ session_id: made.session_id }, owner);
    const row = (batch: NDArray, i: number) => (batch.data as Uint8Array).subarray(i * size, (i + 1) * size);
    refs.forEach((ref, i) =>
      expect(firstDifference(row(reset.observations as NDArray, i), ref.reset(SEED + i))).toBe(-1),
    );
    let endings = 0;
    for (let t = 0; t < STEPS; t++) {
      const actions = Array.from(
        { length: NUM_ENVS },
        (_, i) => (t * 7 + i * 3) % (made.single_action_space as { n: number }).n,
      );
      const result: StepResult = await service.step(
        { session_id: made.session_id, actions: ndarray('int64', [NUM_ENVS], BigInt64Array.from(actions.map(BigInt))) },
        owner,
      );
      refs.forEach((ref, i) => {
        const expected = ref.step(actions[i]!);
        expect(result.rewards.data[i]).toBe(expected.reward);
        expect(result.truncated.data[i]).toBe(expected.truncated ? 1 : 0);
        if (expected.truncated || expected.terminated) {
          endings++;
          expect(
            firstDifference((result.final_observations![i] as NDArray).data as Uint8Array, expected.observation),
          ).toBe(-1);
          expect(firstDifference(row(result.observations as NDArray, i), ref.reset())).toBe(-1);
        } else {
          expect(result.final_observations![i]).toBeNull();
          expect(firstDifference(row(result.observations as NDArray, i), expected.observation)).toBe(-1);
        }
      });
    }
    expect(endings).toBe(NUM_ENVS * Math.floor(STEPS / (FRAMES_PER_EPISODE / 4)));
  } finally {
    service.closeAll();
  }
}

describe('Atari observations written into batch rows', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['raw RGB', {}],
    ['RAM', { obs_type: 'ram' }],
    ["the paper's input with max-pooling", { obs_type: 'grayscale', downsample: 4, frame_stack: 4, max_pool: true }],
    ['RGB downsampled by 5, 2 frames', { downsample: 5, frame_stack: 2 }],
  ];
  for (const [name, kwargs] of cases) {
    it(`${name}, in-process session: equal to a plain reference`, async () => {
      await checkAgainstReference(kwargs, 0);
    }, 120_000);
  }
  for (const [name, kwargs] of [cases[2]!]) {
    it(`${name}, on 2 worker threads (shared memory): equal to a plain reference`, async () => {
      await checkAgainstReference(kwargs, 2);
    }, 120_000);
  }
});
