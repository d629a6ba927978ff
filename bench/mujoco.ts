/**
 * pnpm bench:mujoco — MuJoCo speed, side by side in one run:
 *   1. raw mj_step/s of mujoco-js (WebAssembly) and of native MuJoCo through Python (`.venv/bin/python`) on the
 *      same MJCF text (our Hopper and Humanoid models): zero controls, mj_resetData every 1000 steps;
 *   2. env-steps/s of Hopper-v5 and Humanoid-v5: in-process (1 and 16 envs, no workers), over loopback WebSocket
 *      with 16 envs (0, 1 and 2 worker threads), and Gymnasium's own envs in Python (one env, one process);
 *   3. the env layer's cost: paired, step by step on the very states an env visits, the time of env.step
 *      (with its autoresets) against raw mj_step × frame_skip from the same state on a second MjData, with the
 *      same controls. Pairing each env step with its raw twin makes the ratio immune to the machine's load.
 * Env cases use uniform random actions (pre-generated) and same_step autoreset, as a sampler would. The server
 * and the client share this process, so WS figures include the client's work on the main thread. Besides the
 * rates, the process's CPU time per env step is recorded: without workers it measures the WS overhead steadily
 * even when the machine's load makes the rates jump.
 *
 * The machine is shared, so every case is measured in ROUNDS short slices, interleaved (case 1, 2, ..., 1, 2, ...),
 * and the median is reported: all cases see the same load.
 *
 *   pnpm bench:mujoco        (about 3 minutes; BENCH_SECONDS=N seconds per slice, default 1; BENCH_ROUNDS default 5)
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { EmbeddedVectorEnv, RemoteVectorEnv, type VectorEnv } from '@vinegym/agent';
import {
  EnvService,
  HOPPER_V5,
  HOPPER_XML,
  HUMANOID_V5,
  HUMANOID_XML,
  MujocoSim,
  createDefaultRegistry,
  createServer,
  loadMujocoRuntime,
  validateKwargs,
  type EnvDefinition,
  type MujocoEnv,
} from '@vinegym/env-server';
import { ndarray, type NDArray } from '@vinegym/protocol';
import { coresAvailable } from './cores-available.js';
import { PythonLines } from './python-lines.js';
import { median } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PYTHON = fileURLToPath(new URL('../.venv/bin/python', import.meta.url));
const ENVS = [
  { id: 'Hopper-v5', definition: HOPPER_V5, xml: HOPPER_XML, frameSkip: 4, actionDim: 3, actionHigh: 1 },
  { id: 'Humanoid-v5', definition: HUMANOID_V5, xml: HUMANOID_XML, frameSkip: 5, actionDim: 17, actionHigh: 0.4 },
] as const;
const XML_OF: Record<string, string> = Object.fromEntries(ENVS.map((env) => [env.id, env.xml]));

/** A long-lived Python process answering one JSON request per line (so Python's start-up is paid once). */
const PYTHON_HELPER = `
import json, sys, time
import numpy as np
import mujoco, gymnasium as gym
models, envs = {}, {}
print(json.dumps({'mujoco': mujoco.__version__, 'gymnasium': gym.__version__}), flush=True)
for line in sys.stdin:
    req = json.loads(line); seconds = req['seconds']
    if req['kind'] == 'raw':
        if req['name'] not in models:
            model = mujoco.MjModel.from_xml_string(req['xml']); models[req['name']] = (model, mujoco.MjData(model))
        model, data = models[req['name']]
        steps = 0; deadline = time.perf_counter() + seconds; start = time.perf_counter()
        while time.perf_counter() < deadline:
            mujoco.mj_resetData(model, data)
            for _ in range(1000): mujoco.mj_step(model, data)
            steps += 1000
    else:
        if req['name'] not in envs:
            env = gym.make(req['name']); env.reset(seed=0); space = env.action_space
            actions = np.random.default_rng(0).uniform(space.low, space.high, size=(1024,) + space.shape).astype(space.dtype)
            envs[req['name']] = (env, actions)
        env, actions = envs[req['name']]
        steps = 0; deadline = time.perf_counter() + seconds; start = time.perf_counter()
        while time.perf_counter() < deadline:
            for k in range(64):
                _, _, terminated, truncated, _ = env.step(actions[(steps + k) & 1023])
                if terminated or truncated: env.reset()
            steps += 64
    print(json.dumps({'rate': steps / (time.perf_counter() - start)}), flush=True)
`;

/**
 * Paired timing of the env layer: before each env step the env's MuJoCo state is copied to a second MjData,
 * which takes raw mj_step × frame_skip with the same controls; then the env steps (and resets when its episode
 * ends). Returns env time / raw time − 1: the median over blocks of 200 steps.
 */
async function envLayerOverhead(
  definition: EnvDefinition,
  actionHigh: number,
  frameSkip: number,
  steps: number,
): Promise<number> {
  const runtime = await loadMujocoRuntime();
  const env = definition.create(validateKwargs(definition, {})) as MujocoEnv;
  const twin = new MujocoSim(runtime, XML_OF[definition.id]);
  const actions = randomActions(1, env.sim.nu, actionHigh);
  const blockRatios: number[] = [];
  let envMs = 0;
  let rawMs = 0;
  env.reset(0);
  for (let k = 0; k < steps; k++) {
    if (k > 0 && k % 200 === 0) {
      blockRatios.push(envMs / rawMs - 1);
      [envMs, rawMs] = [0, 0];
    }
    const action = actions[k & 63];
    twin.setIntegrationState(env.sim.integrationState());
    const t0 = performance.now();
    twin.ctrl.set(action.data);
    for (let i = 0; i < frameSkip; i++) runtime.module.mj_step(twin.model, twin.data);
    const t1 = performance.now();
    const out = env.step(ndarray('float32', [env.sim.nu], action.data));
    if (out.terminated || out.truncated) env.reset();
    envMs += performance.now() - t1;
    rawMs += t1 - t0;
  }
  env.close?.();
  twin.delete();
  // The median over blocks of 200 steps: a block where the machine's load hit one side more than the other drops out.
  return median(blockRatios);
}

/** Raw mj_step/s of mujoco-js on `xml` for SECONDS. */
async function rawStepsJs(xml: string): Promise<number> {
  const runtime = await loadMujocoRuntime();
  const mujoco = runtime.module;
  const model = runtime.acquireModel(xml);
  const data = new mujoco.MjData(model);
  let steps = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  while (performance.now() < deadline) {
    mujoco.mj_resetData(model, data);
    for (let k = 0; k < 1000; k++) mujoco.mj_step(model, data);
    steps += 1000;
  }
  const rate = steps / ((performance.now() - start) / 1000);
  data.delete();
  runtime.releaseModel(model);
  return rate;
}

function randomActions(numEnvs: number, dim: number, high: number): NDArray<'float32'>[] {
  return Array.from({ length: 64 }, () =>
    ndarray(
      'float32',
      [numEnvs, dim],
      Float32Array.from({ length: numEnvs * dim }, () => (2 * Math.random() - 1) * high),
    ),
  );
}

/**
 * Env-steps/s of `env` for SECONDS, and the process's CPU time per env step in µs (all threads). Without worker
 * threads the CPU time hardly depends on the machine's load, so it measures the WS overhead more steadily.
 */
async function envStepsPerSecond(
  env: VectorEnv,
  actions: NDArray<'float32'>[],
): Promise<{ rate: number; cpuMicros: number }> {
  let steps = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (let k = 0; performance.now() < deadline;) {
    for (let j = 0; j < 8; j++) await env.step(actions[k++ & 63]);
    steps += 8 * env.numEnvs;
  }
  const cpu = process.cpuUsage(cpu0);
  return { rate: steps / ((performance.now() - start) / 1000), cpuMicros: (cpu.user + cpu.system) / steps };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

async function main(): Promise<void> {
  const runtime = await loadMujocoRuntime();
  const { child: helper, first: versions } = await PythonLines.start<{ mujoco: string; gymnasium: string }>(
    PYTHON,
    PYTHON_HELPER,
  );
  console.log(
    `vinegym bench:mujoco — ${ROUNDS} rounds × ${SECONDS}s per case (median reported), node ${process.version}, ` +
      `mujoco-js (MuJoCo ${runtime.version}), Python mujoco ${versions.mujoco}, Gymnasium ${versions.gymnasium}, ` +
      `${availableParallelism()} cores, load average at start ${load()}, ` +
      `cores available to this process (${availableParallelism()} busy threads' CPU time / wall time) ${(await coresAvailable()).toFixed(2)}`,
  );

  for (const env of ENVS) await rawStepsJs(env.xml); // warm-up: V8 tiers hot wasm functions up while they run
  const raw: Record<string, { js: number[]; native: number[] }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const env of ENVS) {
      raw[env.id] ??= { js: [], native: [] };
      raw[env.id].js.push(await rawStepsJs(env.xml));
      raw[env.id].native.push(
        (await helper.request<{ rate: number }>({ kind: 'raw', name: env.id, xml: env.xml, seconds: SECONDS })).rate,
      );
    }
  }
  console.log('\n| model | mujoco-js mj_step/s | native MuJoCo (Python) mj_step/s | wasm / native |');
  console.log('|---|---:|---:|---:|');
  for (const env of ENVS) {
    const [js, native] = [median(raw[env.id].js), median(raw[env.id].native)];
    console.log(`| ${env.id.replace('-v5', '')} | ${fmt(js)} | ${fmt(native)} | ${(js / native).toFixed(2)} |`);
  }

  const servers = await Promise.all([0, 1, 2].map((workers) => createServer({ port: 0, workers })));
  const inProcess = new EnvService({ registry: createDefaultRegistry(), workers: 0 });
  const header = [
    'in-process, 1 env',
    'in-process, 16 envs',
    'WS 16 envs, 0 workers',
    'WS 16 envs, 1 worker',
    'WS 16 envs, 2 workers',
    'Gymnasium (Python, 1 env)',
  ];
  const rows: string[] = [];
  const notes: string[] = [];
  for (const env of ENVS) {
    const options = (numEnvs: number) => ({ envId: env.id, numEnvs, seed: 0, autoresetMode: 'same_step' as const });
    const vectors: VectorEnv[] = [
      await EmbeddedVectorEnv.make(options(1), inProcess),
      await EmbeddedVectorEnv.make(options(16), inProcess),
      ...(await Promise.all(servers.map((server) => RemoteVectorEnv.connect(server.url, options(16))))),
    ];
    const actions = vectors.map((vector) => randomActions(vector.numEnvs, env.actionDim, env.actionHigh));
    for (const [k, vector] of vectors.entries()) {
      await vector.reset({ seed: 0 });
      await envStepsPerSecond(vector, actions[k]); // warm-up, also of the workers' wasm
    }
    const rates: number[][] = vectors.map(() => []).concat([[]]);
    const cpuMicros: number[][] = vectors.map(() => []);

    for (let round = 0; round < ROUNDS; round++) {
      for (const [k, vector] of vectors.entries()) {
        const { rate, cpuMicros: cpu } = await envStepsPerSecond(vector, actions[k]);
        rates[k].push(rate);
        cpuMicros[k].push(cpu);
      }
      rates[vectors.length].push(
        (await helper.request<{ rate: number }>({ kind: 'env', name: env.id, seconds: SECONDS })).rate,
      );
    }
    await Promise.all(vectors.map((vector) => vector.close()));
    const m = rates.map(median);
    const c = cpuMicros.map(median);
    rows.push(`| ${env.id} | ${m.map(fmt).join(' | ')} |`);
    await envLayerOverhead(env.definition, env.actionHigh, env.frameSkip, 1000); // warm-up
    const layer = await envLayerOverhead(env.definition, env.actionHigh, env.frameSkip, 4000);
    notes.push(
      `- ${env.id}: the env layer (env.step with autoresets) takes +${pct(layer)} over raw mj_step × ${env.frameSkip} from the ` +
        `same states (paired, median of 20 blocks of 200 steps); WS with 16 envs and no workers is ${pct(m[1] / m[2] - 1)} slower than in-process ` +
        `with 16 envs (CPU time per env step: ${c[1].toFixed(1)} µs in-process, ${c[2].toFixed(1)} µs over WS, ${pct(c[2] / c[1] - 1)} more); ` +
        `WS with 16 envs and 2 workers is ${(m[4] / m[5]).toFixed(2)}× Gymnasium's single-process env-steps/s.`,
    );
  }
  console.log(`\n| env | ${header.join(' | ')} |`);
  console.log(`|---|${header.map(() => '---:').join('|')}|`);
  console.log(rows.join('\n'));
  console.log(`\n${notes.join('\n')}`);
  await Promise.all(servers.map((server) => server.close()));
  helper.stop();
  console.log(
    `\nload average at the end: ${load()}; cores available to this process ${(await coresAvailable()).toFixed(2)}`,
  );
}

await main();
