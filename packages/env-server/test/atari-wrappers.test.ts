/**
 * The ALE envs' preprocessing as wrappers (AtariPreprocessing, then FrameStackObservation on the last axis) gives
 * byte for byte what one FramePreprocessor with frame stacking gave before the wrappers existed: the reference
 * below is that earlier code path (AleEnv, the penultimate screen of each step, FramePreprocessor with
 * frameStack k). Also: the wrappers' snapshots, and a Box-only frame_stack. Needs ale-py's ROMs (`pnpm test:setup`).
 */
import { AleEnv, FramePreprocessor } from '@vinegym/ale';
import { ndarray } from '@vinegym/protocol';
import type { NDArray } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { ATARI_ENVS } from '../src/envs/atari.js';
import { validateKwargs } from '../src/registry.js';
import { VectorSession } from '../src/session.js';

const PONG = ATARI_ENVS.find((d) => d.id === 'ALE/Pong-v5')!;

interface Preprocessing {
  obs_type: 'grayscale' | 'rgb';
  downsample?: number;
  resize_height?: number;
  resize_width?: number;
  max_pool?: boolean;
  frame_stack?: number;
}

/** The pre-wrapper path: AleEnv + one FramePreprocessor doing colours, pooling, resizing and stacking. */
function referenceFrames(
  kwargs: Preprocessing,
  seed: number,
  actions: number[],
): { frames: string[]; rewards: number[] } {
  const ale = new AleEnv({ game: 'pong', obsType: kwargs.obs_type });
  // A seeded reset loads a new emulator, so the machine is looked up after it.
  ale.reset(seed);
  const machine = ale.ale.machine;
  const preprocessor = new FramePreprocessor({
    channels: kwargs.obs_type === 'grayscale' ? 1 : 3,
    height: machine.screenHeight,
    downsample: kwargs.downsample ?? 1,
    resize: kwargs.resize_height === undefined ? null : [kwargs.resize_height, kwargs.resize_width!],
    maxPool: kwargs.max_pool ?? false,
    frameStack: kwargs.frame_stack ?? 1,
  });
  const penultimate = new Uint8Array(160 * 250);
  const frames = [hex(preprocessor.reset(machine.screen(), machine.palette))];
  const rewards: number[] = [];
  for (const action of actions) {
    const out = ale.step(action, penultimate);
    frames.push(hex(preprocessor.push(machine.screen(), penultimate, machine.palette)));
    rewards.push(out.reward);
  }
  return { frames, rewards };
}

function wrapperFrames(
  kwargs: Preprocessing,
  seed: number,
  actions: number[],
): { frames: string[]; rewards: number[]; shape: number[] } {
  const session = new VectorSession({
    definition: PONG,
    kwargs: validateKwargs(PONG, kwargs),
    numEnvs: 1,
    autoresetMode: 'disabled',
  });
  const reset = session.reset({ seed }).observations as NDArray<'uint8'>;
  const frames = [hex(reset.data)];
  const rewards: number[] = [];
  for (const action of actions) {
    const out = session.step(ndarray('int64', [1], [action]));
    frames.push(hex((out.observations as NDArray<'uint8'>).data));
    rewards.push(out.rewards.data[0] as number);
  }
  session.close();
  return { frames, rewards, shape: reset.shape.slice(1) };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const ACTIONS = Array.from({ length: 90 }, (_, t) => (t * 7 + (t >> 3)) % 6);

describe('ALE preprocessing wrappers', () => {
  const cases: [Preprocessing, number[]][] = [
    [{ obs_type: 'grayscale', downsample: 4, frame_stack: 4, max_pool: true }, [52, 40, 4]],
    [{ obs_type: 'grayscale', downsample: 4, frame_stack: 4 }, [52, 40, 4]],
    [{ obs_type: 'grayscale', resize_height: 84, resize_width: 84, max_pool: true, frame_stack: 3 }, [84, 84, 3]],
    [{ obs_type: 'rgb', downsample: 2, frame_stack: 2 }, [105, 80, 6]],
    [{ obs_type: 'rgb', frame_stack: 2 }, [210, 160, 6]],
    [{ obs_type: 'grayscale', downsample: 5, max_pool: true }, [42, 32]],
    [{ obs_type: 'rgb', resize_height: 50, resize_width: 37 }, [50, 37, 3]],
  ];
  for (const [kwargs, shape] of cases) {
    it(`${JSON.stringify(kwargs)}: same bytes as the single FramePreprocessor, shape ${JSON.stringify(shape)}`, () => {
      const ours = wrapperFrames(kwargs, 11, ACTIONS);
      const reference = referenceFrames(kwargs, 11, ACTIONS);
      expect(ours.shape).toEqual(shape);
      expect(ours.frames.length).toBe(ACTIONS.length + 1);
      expect(new Set(ours.frames).size).toBeGreaterThan(10);
      expect(ours.frames).toEqual(reference.frames);
      expect(ours.rewards).toEqual(reference.rewards);
    }, 120_000);
  }

  it('a snapshot carries the frame stack: restore, then the same frames', () => {
    const kwargs = validateKwargs(PONG, { obs_type: 'grayscale', downsample: 4, frame_stack: 4, max_pool: true });
    const session = new VectorSession({ definition: PONG, kwargs, numEnvs: 1 });
    session.reset({ seed: 3 });
    const act = (a: number) => hex((session.step(ndarray('int64', [1], [a])).observations as NDArray<'uint8'>).data);
    for (let t = 0; t < 20; t++) act(t % 6);
    const [snapshot] = session.snapshot([0]);
    const before = ACTIONS.slice(0, 12).map(act);
    session.restore(0, snapshot);
    expect(ACTIONS.slice(0, 12).map(act)).toEqual(before);
    session.close();
  }, 120_000);
});
