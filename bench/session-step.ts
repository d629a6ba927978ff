/**
 * pnpm bench:session-step — raw VectorSession stepping (no transport, no client) of this checkout against another
 * checkout of vinegym (`--ref DIR`, e.g. `git worktree add DIR main` + install), both loaded into this one
 * process and timed in alternating slices, so both sides see the same machine load. Prints env steps per
 * CPU-second of each side per case (the process's CPU time, which moves less than wall time on a loaded machine;
 * the stepping is single-threaded) and the ratio this/ref (medians over the slices), and the wall-clock ratio.
 * Without `--ref` it prints this checkout only.
 *
 * Cases: CartPole-v1 (8 and 16 envs), Hopper-v5 (8 envs) and ALE/Pong-v5 (8 envs; raw RGB frames and the paper's
 * preprocessing: grayscale, downsample 4, frame_stack 4), next_step autoreset, actions drawn before the timed loop.
 *
 *   pnpm bench:session-step [--ref DIR] [--slices 9] [--slice-ms 400] [--cases cartpole8,cartpole16,hopper,pong-raw,pong-paper]
 */
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as here from '@vinegym/env-server';
import { ndarray, type SpaceValue } from '@vinegym/protocol';
import { median } from './stats.js';

interface Case {
  name: string;
  envId: string;
  kwargs: Record<string, unknown>;
  numEnvs: number;
}

const CASES: Case[] = [
  { name: 'cartpole8', envId: 'CartPole-v1', kwargs: {}, numEnvs: 8 },
  { name: 'cartpole16', envId: 'CartPole-v1', kwargs: {}, numEnvs: 16 },
  { name: 'hopper', envId: 'Hopper-v5', kwargs: {}, numEnvs: 8 },
  { name: 'pong-raw', envId: 'ALE/Pong-v5', kwargs: {}, numEnvs: 8 },
  {
    name: 'pong-paper',
    envId: 'ALE/Pong-v5',
    kwargs: { obs_type: 'grayscale', downsample: 4, frame_stack: 4 },
    numEnvs: 8,
  },
];

type ServerModule = typeof here;

/** One side's session of a case, ready to step. */
interface Stepper {
  step(): void;
  close(): void;
}

async function makeStepper(server: ServerModule, c: Case): Promise<Stepper> {
  const definition = server.createDefaultRegistry().get(c.envId);
  await definition.load?.();
  const session = new server.VectorSession({
    definition,
    kwargs: server.validateKwargs(definition, c.kwargs),
    numEnvs: c.numEnvs,
    seed: 0,
  });
  const actions = drawActions(session.singleActionSpace, c.numEnvs, 64);
  session.reset();
  let k = 0;
  return { step: () => void session.step(actions[k++ & 63]), close: () => session.close() };
}

/** Uniform random batches of actions for a Discrete or Box action space. */
function drawActions(space: here.VectorSession['singleActionSpace'], n: number, count: number): SpaceValue[] {
  return Array.from({ length: count }, () => {
    if (space.type === 'discrete') {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = BigInt(Math.floor(Math.random() * space.n));
      return ndarray('int64', [n], a);
    }
    if (space.type !== 'box') throw new Error(`no random actions for a ${space.type} space`);
    const size = space.low.data.length;
    const a = new Float32Array(n * size);
    for (let i = 0; i < a.length; i++) a[i] = Math.random() * 2 - 1;
    return ndarray('float32', [n, ...space.shape], a);
  });
}

interface Rate {
  /** Env steps per CPU-second of this process. */
  cpu: number;
  /** Env steps per wall-clock second. */
  wall: number;
}

/** Env steps per second of `stepper` over about `ms` milliseconds of wall time. */
function timeSlice(stepper: Stepper, numEnvs: number, ms: number): Rate {
  let steps = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  while (performance.now() < deadline) {
    for (let j = 0; j < 8; j++) stepper.step();
    steps += 8 * numEnvs;
  }
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpu: steps / ((cpu.user + cpu.system) / 1e6), wall: steps / wall };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ref: { type: 'string' },
      slices: { type: 'string', default: '9' },
      'slice-ms': { type: 'string', default: '400' },
      cases: { type: 'string', default: CASES.map((c) => c.name).join(',') },
    },
  });
  const slices = Number(values.slices);
  const sliceMs = Number(values['slice-ms']);
  const chosen = values.cases.split(',').map((name) => {
    const c = CASES.find((x) => x.name === name);
    if (!c) throw new Error(`unknown case ${name}; cases: ${CASES.map((x) => x.name).join(', ')}`);
    return c;
  });
  const ref: ServerModule | null = values.ref
    ? ((await import(
        pathToFileURL(join(resolve(values.ref), 'packages/env-server/src/index.ts')).href
      )) as ServerModule)
    : null;

  console.log(
    `vinegym bench:session-step — ${slices} slices of ${sliceMs} ms per side and case, node ${process.version}`,
  );
  console.log(`load average at start: ${load()}`);
  console.log(
    ref
      ? '| case | envs | this steps/CPU-s | ref steps/CPU-s | this / ref (CPU) | this / ref (wall) |'
      : '| case | envs | steps/CPU-s | steps/s |',
  );
  console.log(ref ? '|---|---:|---:|---:|---:|---:|' : '|---|---:|---:|---:|');
  for (const c of chosen) {
    const ours = await makeStepper(here, c);
    const theirs = ref ? await makeStepper(ref, c) : null;
    // Warm-up: the JIT compiles both sides' hot paths before anything counts.
    timeSlice(ours, c.numEnvs, sliceMs);
    if (theirs) timeSlice(theirs, c.numEnvs, sliceMs);
    const a: Rate[] = [];
    const b: Rate[] = [];
    for (let s = 0; s < slices; s++) {
      // Alternate which side goes first, so a drift in load does not favour one.
      if (s % 2 === 0 || !theirs) a.push(timeSlice(ours, c.numEnvs, sliceMs));
      if (theirs) b.push(timeSlice(theirs, c.numEnvs, sliceMs));
      if (s % 2 === 1 && theirs) a.push(timeSlice(ours, c.numEnvs, sliceMs));
    }
    const kwargs = Object.keys(c.kwargs).length === 0 ? '' : ` ${JSON.stringify(c.kwargs)}`;
    const label = `${c.envId}${kwargs}`;
    const cpu = (rates: Rate[]) => median(rates.map((r) => r.cpu));
    if (theirs) {
      const ratio = (key: keyof Rate) => median(a.map((r, k) => r[key] / b[k][key])).toFixed(3);
      console.log(`| ${label} | ${c.numEnvs} | ${fmt(cpu(a))} | ${fmt(cpu(b))} | ${ratio('cpu')} | ${ratio('wall')} |`);
    } else {
      console.log(`| ${label} | ${c.numEnvs} | ${fmt(cpu(a))} | ${fmt(median(a.map((r) => r.wall)))} |`);
    }
    ours.close();
    theirs?.close();
  }
  console.log(`load average at end: ${load()}`);
}

await main();
