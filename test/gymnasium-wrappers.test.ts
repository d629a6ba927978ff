/**
 * The server's wrappers against Gymnasium's own (TimeLimit, Autoreset in next_step and same_step mode as
 * Gymnasium's SyncVectorEnv does it, FrameStackObservation, RescaleAction, ClipAction, RecordEpisodeStatistics),
 * composed from make kwargs around a probe env defined here and in test/python/wrappers_reference.py: every
 * step's observation, reward, flags, info and final observation must be equal. The probe's observation is the
 * action it received, so action wrappers are compared to the float32 bit. Needs the venv of `pnpm test:setup`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { box, ndarray } from '@vinegym/protocol';
import type { AutoresetMode, Info, NDArray } from '@vinegym/protocol';
import { VectorSession, validateKwargs } from '@vinegym/env-server';
import type { Env, EnvDefinition } from '@vinegym/env-server';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = `${ROOT}.venv/bin/python`;
const SCRIPT = `${ROOT}test/python/wrappers_reference.py`;

/** The probe env of wrappers_reference.py. */
function probeEnv(terminateAt: number): Env {
  let t = 0;
  let episode = 0;
  const observation = (values: number[]) => ndarray('float32', [4], values);
  return {
    observationSpace: box(-Infinity, Infinity, [4], 'float32'),
    actionSpace: box([-2, 0], [2, 4], [2], 'float32'),
    reset: () => {
      t = 0;
      episode += 1;
      return { observation: observation([0, 0, 0, episode]), info: { reset: episode } };
    },
    step: (action) => {
      t += 1;
      const [a0, a1] = (action as NDArray<'float32'>).data;
      return {
        observation: observation([t, a0, a1, episode]),
        reward: a0 + 0.5 * a1 + t,
        terminated: t >= terminateAt,
        truncated: false,
        info: { t },
      };
    },
  };
}

function probeDefinition(terminateAt: number): EnvDefinition {
  return {
    id: 'test/Probe-v0',
    description: 'probe',
    kwargs: {},
    maxEpisodeSteps: null,
    create: () => probeEnv(terminateAt),
  };
}

interface Case {
  name: string;
  kwargs: Record<string, number | boolean>;
  autoreset_mode: AutoresetMode;
  terminate_at: number;
  seed: number;
  actions: number[][];
}
interface Row {
  observation: number[];
  reward?: number;
  terminated?: boolean;
  truncated?: boolean;
  t?: number | null;
  episode?: { r: number; l: number } | null;
  final_observation?: number[] | null;
  final_episode?: { r: number; l: number } | null;
}

/** Deterministic actions: inside both [-2, 2] x [0, 4] and [-1, 1]², or when `wide` often outside both. */
function actions(count: number, wide: boolean): number[][] {
  return Array.from({ length: count }, (_, k) => {
    const a0 = Math.fround(Math.sin(k * 1.7) * (wide ? 3.5 : 0.9));
    const a1 = Math.fround(wide ? Math.cos(k * 0.9) * 5 : 0.5 + 0.45 * Math.cos(k * 0.9));
    return [a0, a1];
  });
}

const CASES: Case[] = [
  {
    name: 'TimeLimit + Autoreset next_step',
    kwargs: { max_episode_steps: 5 },
    autoreset_mode: 'next_step',
    terminate_at: 9,
    seed: 1,
    actions: actions(23, false),
  },
  {
    name: 'termination before the time limit, next_step',
    kwargs: { max_episode_steps: 6 },
    autoreset_mode: 'next_step',
    terminate_at: 4,
    seed: 2,
    actions: actions(15, false),
  },
  {
    name: 'TimeLimit + Autoreset same_step',
    kwargs: { max_episode_steps: 5 },
    autoreset_mode: 'same_step',
    terminate_at: 9,
    seed: 3,
    actions: actions(23, false),
  },
  {
    name: 'termination, same_step',
    kwargs: { max_episode_steps: 6 },
    autoreset_mode: 'same_step',
    terminate_at: 4,
    seed: 4,
    actions: actions(15, false),
  },
  {
    name: 'TimeLimit without autoreset',
    kwargs: { max_episode_steps: 3 },
    autoreset_mode: 'disabled',
    terminate_at: 9,
    seed: 5,
    actions: actions(3, false),
  },
  {
    name: 'FrameStackObservation',
    kwargs: { frame_stack: 3, max_episode_steps: 4 },
    autoreset_mode: 'next_step',
    terminate_at: 9,
    seed: 6,
    actions: actions(12, false),
  },
  {
    name: 'FrameStackObservation, same_step',
    kwargs: { frame_stack: 2, max_episode_steps: 4 },
    autoreset_mode: 'same_step',
    terminate_at: 9,
    seed: 7,
    actions: actions(12, false),
  },
  {
    name: 'ClipAction',
    kwargs: { clip_action: true },
    autoreset_mode: 'next_step',
    terminate_at: 6,
    seed: 8,
    actions: actions(16, true),
  },
  {
    name: 'RescaleAction',
    kwargs: { rescale_action_min: -1, rescale_action_max: 1 },
    autoreset_mode: 'next_step',
    terminate_at: 6,
    seed: 9,
    actions: actions(16, false),
  },
  {
    name: 'RescaleAction + ClipAction',
    kwargs: { rescale_action_min: -1, rescale_action_max: 1, clip_action: true },
    autoreset_mode: 'next_step',
    terminate_at: 6,
    seed: 10,
    actions: actions(16, true),
  },
  {
    name: 'RecordEpisodeStatistics, next_step',
    kwargs: { record_episode_statistics: true, max_episode_steps: 5 },
    autoreset_mode: 'next_step',
    terminate_at: 4,
    seed: 11,
    actions: actions(20, false),
  },
  {
    name: 'RecordEpisodeStatistics, same_step',
    kwargs: { record_episode_statistics: true, max_episode_steps: 3 },
    autoreset_mode: 'same_step',
    terminate_at: 7,
    seed: 12,
    actions: actions(20, false),
  },
  {
    name: 'all of them',
    kwargs: {
      max_episode_steps: 4,
      frame_stack: 2,
      rescale_action_min: -3,
      rescale_action_max: 3,
      clip_action: true,
      record_episode_statistics: true,
    },
    autoreset_mode: 'same_step',
    terminate_at: 3,
    seed: 13,
    actions: actions(14, true),
  },
];

const rows = (array: NDArray): number[] => Array.from(array.data as Float32Array);
const episodeOf = (info: Info | null | undefined) => {
  const episode = info?.episode as { r: number; l: number; t: number } | undefined;
  return episode === undefined ? null : { r: episode.r, l: episode.l };
};

/** Our trace of `testCase`, in the reference's format. */
function ourTrace(testCase: Case): Row[] {
  const definition = probeDefinition(testCase.terminate_at);
  const session = new VectorSession({
    definition,
    kwargs: validateKwargs(definition, testCase.kwargs),
    numEnvs: 1,
    autoresetMode: testCase.autoreset_mode,
  });
  const trace: Row[] = [{ observation: rows(session.reset({ seed: testCase.seed }).observations as NDArray) }];
  for (const action of testCase.actions) {
    const result = session.step(ndarray('float32', [1, 2], action));
    const info = result.infos[0];
    const final = result.final_observations?.[0] ?? null;
    trace.push({
      observation: rows(result.observations as NDArray),
      reward: result.rewards.data[0] as number,
      terminated: result.terminated.data[0] === 1,
      truncated: result.truncated.data[0] === 1,
      t: (info.t as number | undefined) ?? null,
      episode: episodeOf(info),
      final_observation: final === null ? null : rows(final as NDArray),
      final_episode: final === null ? null : episodeOf(result.final_infos?.[0]),
    });
    if (testCase.autoreset_mode === 'disabled' && (trace.at(-1)!.terminated || trace.at(-1)!.truncated)) break;
  }
  session.close();
  return trace;
}

let references: Row[][];

beforeAll(() => {
  if (!existsSync(PYTHON))
    throw new Error(`Python venv missing (${PYTHON}): run \`pnpm test:setup\` to create it with gymnasium`);
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(CASES), encoding: 'utf8', maxBuffer: 16 << 20 });
  if (run.status !== 0) throw new Error(`reference script failed (run \`pnpm test:setup\`?):\n${run.stderr}`);
  references = JSON.parse(run.stdout);
});

describe('wrappers match Gymnasium 1.x', () => {
  it('the cases cover truncations, terminations, autoresets and episode statistics', () => {
    const all = references.flat();
    expect(all.filter((row) => row.truncated).length).toBeGreaterThanOrEqual(8);
    expect(all.filter((row) => row.terminated).length).toBeGreaterThanOrEqual(8);
    expect(all.filter((row) => row.final_observation).length).toBeGreaterThanOrEqual(8);
    expect(all.filter((row) => row.episode || row.final_episode).length).toBeGreaterThanOrEqual(6);
  });

  CASES.forEach((testCase, k) => {
    it(`${testCase.name}: identical observations, rewards, flags, infos and final observations`, () => {
      const ours = ourTrace(testCase);
      expect(ours.length).toBe(references[k].length);
      ours.forEach((row, t) => expect(row, `${testCase.name}, step ${t}`).toEqual(references[k][t]));
    });
  });
});
