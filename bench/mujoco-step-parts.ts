/**
 * pnpm bench:mujoco-step-parts — what one MuJoCo env step costs, split into the simulator and everything around it,
 * for vinegym's envs (mujoco-js, WebAssembly) and Gymnasium's (native MuJoCo, through Python), in one run:
 *
 *   simulator   vinegym: MujocoSim.step (ctrl, mj_step × frame_skip, mj_rnePostConstraint);
 *               Gymnasium: MujocoEnv._step_mujoco_simulation (the same three calls)
 *   env step    the whole env step: the simulator plus the task's observation, reward, info and checks, and the
 *               resets of the episodes that end (amortized); Gymnasium's through gym.make's wrappers, as
 *               sb3-contrib steps it
 *
 * Both sides take the same actions (one table of uniform random actions in the control range, made here and sent to
 * Python), start from the same seeded reset and reset when an episode ends or reaches 1,000 steps, so they visit
 * states of the same kind. One env, one thread each; rounds alternate between the two sides and the medians are
 * reported (µs per env step, wall time: run it at normal priority on an otherwise idle core).
 *
 *   tsx --conditions=source bench/mujoco-step-parts.ts --python <python with gymnasium[mujoco]>
 *       [--envs Hopper-v5,Walker2d-v5,Ant-v5,Humanoid-v5] [--steps 2000] [--rounds 5]
 */
import { loadavg } from 'node:os';
import { createDefaultRegistry, loadMujocoRuntime, validateKwargs, type MujocoEnv } from '@vinegym/env-server';
import { ndarray } from '@vinegym/protocol';
import { PythonLines } from './python-lines.js';
import { median, mulberry32 } from './stats.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string | null): string => {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? args[i + 1] : fallback;
  if (value === undefined || value === null) throw new Error(`--${name} is required`);
  return value;
};
const envIds = opt('envs', 'Hopper-v5,Walker2d-v5,Ant-v5,Humanoid-v5').split(',');
const steps = Number(opt('steps', '2000'));
const rounds = Number(opt('rounds', '5'));
const python = opt('python', process.env.VINEGYM_SB3_PYTHON ?? null);
const ACTIONS = 1024;
const EPISODE_LIMIT = 1000;

/** The Python side: one request per line, `steps` env steps of one env, answered with the two totals in µs. */
const PYTHON_SIDE = `
import json, sys, time
import numpy as np
import gymnasium as gym, mujoco
envs = {}
print(json.dumps({'mujoco': mujoco.__version__, 'gymnasium': gym.__version__}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    if req['env'] not in envs:
        env = gym.make(req['env'])
        inner = env.unwrapped
        sim = {'us': 0.0}
        step_simulation = inner._step_mujoco_simulation
        def timed(ctrl, n_frames, step_simulation=step_simulation, sim=sim):
            t = time.perf_counter(); step_simulation(ctrl, n_frames); sim['us'] += 1e6 * (time.perf_counter() - t)
        inner._step_mujoco_simulation = timed
        env.reset(seed=0)
        envs[req['env']] = (env, sim, np.array(req['actions'], dtype=np.float32), {'t': 0})
    env, sim, actions, episode = envs[req['env']]
    sim['us'] = 0.0
    start = time.perf_counter()
    for k in range(req['steps']):
        _, _, terminated, truncated, _ = env.step(actions[k % len(actions)])
        episode['t'] += 1
        if terminated or truncated or episode['t'] >= ${EPISODE_LIMIT}:
            env.reset(); episode['t'] = 0
    total = 1e6 * (time.perf_counter() - start)
    print(json.dumps({'total': total / req['steps'], 'simulator': sim['us'] / req['steps']}), flush=True)
`;

interface Parts {
  /** µs per env step: the whole step (with the resets of ended episodes). */
  total: number;
  /** µs per env step in the simulator. */
  simulator: number;
}

/** vinegym's side: one MujocoEnv whose simulator step is timed from outside. */
class VinegymSide {
  private simulatorMs = 0;
  private episodeSteps = 0;

  private constructor(private readonly env: MujocoEnv) {
    const sim = env.sim;
    const step = sim.step.bind(sim);
    sim.step = (action, frameSkip) => {
      const clock = performance.now();
      step(action, frameSkip);
      this.simulatorMs += performance.now() - clock;
    };
    env.reset(0);
  }

  static make(envId: string): VinegymSide {
    const definition = createDefaultRegistry().get(envId);
    return new VinegymSide(definition.create(validateKwargs(definition, {})) as MujocoEnv);
  }

  get nu(): number {
    return this.env.sim.nu;
  }

  ctrlRange(): Float64Array {
    return this.env.sim.ctrlRange();
  }

  run(actions: number[][]): Parts {
    const rows = actions.map((row) => ndarray('float32', [row.length], Float32Array.from(row)));
    this.simulatorMs = 0;
    const start = performance.now();
    for (let k = 0; k < steps; k++) {
      const out = this.env.step(rows[k % rows.length]);
      if (out.terminated || out.truncated || ++this.episodeSteps >= EPISODE_LIMIT) {
        this.env.reset();
        this.episodeSteps = 0;
      }
    }
    const totalMs = performance.now() - start;
    return { total: (1000 * totalMs) / steps, simulator: (1000 * this.simulatorMs) / steps };
  }
}

/** A fixed table of uniform actions in [low, high] per actuator (float32 values, as an agent sends them). */
function actionTable(nu: number, range: Float64Array): number[][] {
  const uniform = mulberry32(0x2545f491);
  return Array.from({ length: ACTIONS }, () =>
    Array.from({ length: nu }, (_, j) => Math.fround(range[2 * j] + uniform() * (range[2 * j + 1] - range[2 * j]))),
  );
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
const us = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const runtime = await loadMujocoRuntime();
  const { child: py, first: versions } = await PythonLines.start<{ mujoco: string; gymnasium: string }>(
    python,
    PYTHON_SIDE,
  );
  console.log(
    `bench:mujoco-step-parts — ${rounds} rounds × ${steps} env steps per side and env (medians), node ${process.version}, ` +
      `mujoco-js (MuJoCo ${runtime.version}), Python mujoco ${versions.mujoco}, Gymnasium ${versions.gymnasium}; ` +
      `load average at start ${load()}`,
  );
  const rows: string[] = [];
  for (const envId of envIds) {
    const ours = VinegymSide.make(envId);
    const actions = actionTable(ours.nu, ours.ctrlRange());
    ours.run(actions); // warm-up: V8 tiers the hot wasm and JavaScript up
    await py.request<Parts>({ env: envId, steps, actions });
    const samples: { ours: Parts[]; gym: Parts[] } = { ours: [], gym: [] };
    for (let round = 0; round < rounds; round++) {
      samples.ours.push(ours.run(actions));
      samples.gym.push(await py.request<Parts>({ env: envId, steps, actions }));
    }
    const m = (parts: Parts[], key: keyof Parts) => median(parts.map((p) => p[key]));
    const [oSim, oTotal, gSim, gTotal] = [
      m(samples.ours, 'simulator'),
      m(samples.ours, 'total'),
      m(samples.gym, 'simulator'),
      m(samples.gym, 'total'),
    ];
    rows.push(
      `| ${envId} | ${us(oSim)} | ${us(oTotal - oSim)} | ${us(oTotal)} | ${us(gSim)} | ${us(gTotal - gSim)} | ` +
        `${us(gTotal)} | ${(oSim / gSim).toFixed(2)} | ${(oTotal / gTotal).toFixed(2)} |`,
    );
  }
  py.stop();
  console.log(
    '\n| env (µs per env step) | vinegym simulator | vinegym rest | vinegym env step | Gymnasium simulator | ' +
      'Gymnasium rest | Gymnasium env step | simulator, vinegym ÷ Gymnasium | env step, vinegym ÷ Gymnasium |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(rows.join('\n'));
  console.log(`\nload average at the end: ${load()}`);
}

await main();
