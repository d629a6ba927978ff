/**
 * MujocoEnv: the Env for any MujocoTask, with Gymnasium MujocoEnv's stepping (see MujocoSim.step), reset
 * (mj_resetData, qpos0 + noise, zero qvel + noise, mj_forward), snapshots, and physics blow-up handling.
 *
 * Blow-ups: when a step leaves non-finite values in qpos, qvel, the observation or the reward, or MuJoCo prints
 * a warning (bad qpos/qvel/qacc — after which MuJoCo silently resets the data — or full contact/constraint
 * buffers), the step returns terminated = true, reward 0, the last finite observation and
 * `info.physics_error` with the reason. Further steps repeat that until the next reset.
 */
import { box, VinegymError } from '@vinegym/protocol';
import type { Info, NDArray, Scene, ScenePoses, Space, SpaceValue } from '@vinegym/protocol';
import type { Env, ResetOutput, StepOutput } from '../../env.js';
import { NumpyGenerator, randomSeed } from '../../rng.js';
import { decodeEnvState, encodeEnvState } from './env-state.js';
import { mujocoRuntime } from './runtime.js';
import type { MujocoRuntime } from './runtime.js';
import { MujocoScene } from './scene.js';
import { MujocoSim } from './sim.js';
import type { MujocoTask } from './task.js';

export class MujocoEnv implements Env {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly sim: MujocoSim;
  private readonly runtime: MujocoRuntime;
  private readonly observationSize: number;
  private readonly positionSize: number;
  private rng: NumpyGenerator | null = null;
  private hasState = false;
  private positionBefore: number[] = [];
  private lastObservation: Float64Array;
  private elapsedSteps = 0;
  private physicsError: string | null = null;
  /** Built at the first scene request: envs nobody watches pay nothing. */
  private sceneReader: MujocoScene | null = null;

  /** Compiles (or reuses) the task's model; throws MujocoCompileError for invalid MJCF. */
  constructor(private readonly task: MujocoTask) {
    if (!Number.isSafeInteger(task.frameSkip) || task.frameSkip < 1)
      throw new RangeError('frameSkip must be a positive integer');
    this.runtime = mujocoRuntime();
    this.sim = new MujocoSim(this.runtime, task.xml);
    try {
      const range = this.sim.ctrlRange();
      const low = Array.from({ length: this.sim.nu }, (_, i) => range[2 * i]);
      const high = Array.from({ length: this.sim.nu }, (_, i) => range[2 * i + 1]);
      this.actionSpace = box(low, high, [this.sim.nu], 'float32');
      this.sim.resetData();
      this.sim.setPositionsVelocities(this.sim.qpos0, new Float64Array(this.sim.nv));
      // Also surfaces bad kwargs (e.g. an unknown body) at make time.
      this.positionSize = task.position?.(this.sim).length ?? 0;
      this.lastObservation = Float64Array.from(task.observe(this.sim));
      this.observationSize = this.lastObservation.length;
      this.observationSpace = box(-Infinity, Infinity, [this.observationSize], 'float64');
    } catch (error) {
      this.sim.delete();
      throw error;
    }
  }

  /** Seconds per env step. */
  get dt(): number {
    return this.sim.timestep * this.task.frameSkip;
  }

  reset(seed?: number): ResetOutput {
    if (seed !== undefined) {
      if (this.rng) this.rng.seed(seed);
      else this.rng = new NumpyGenerator(seed);
    }
    const rng = (this.rng ??= new NumpyGenerator(randomSeed()));
    const { sim, task } = this;
    const scale = task.resetNoiseScale ?? 0;
    sim.resetData();
    // Gymnasium's reset_model: init_qpos + uniform(-scale, scale, nq), then init_qvel (zeros) + the qvel noise,
    // drawn in that order from np_random, so a seeded reset starts where Gymnasium's does.
    const qpos = sim.qpos0.map((q) => q + rng.uniform(-scale, scale));
    const qvel = new Float64Array(sim.nv);
    for (let i = 0; i < sim.nv; i++) {
      qvel[i] = 0 + (task.velocityNoise === 'normal' ? scale * rng.standardNormal() : rng.uniform(-scale, scale));
    }
    return { observation: this.setPhysicsState(qpos, qvel), info: task.resetInfo?.(sim) ?? {} };
  }

  /**
   * Puts the simulation at (qpos, qvel) like Gymnasium's `env.unwrapped.set_state`, starting a fresh episode
   * from there (RNG untouched). Returns the observation. Used by parity tests and reset.
   */
  setPhysicsState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): NDArray<'float64'> {
    this.sim.setPositionsVelocities(qpos, qvel);
    this.positionBefore = this.task.position?.(this.sim) ?? [];
    this.lastObservation = this.observe();
    this.hasState = true;
    this.elapsedSteps = 0;
    this.physicsError = null;
    return this.observation(this.lastObservation);
  }

  step(action: SpaceValue): StepOutput {
    if (!this.hasState) throw new Error('MuJoCo env: call reset before step');
    if (this.physicsError !== null) return this.failedStep(this.physicsError);
    const ctrl = Float64Array.from(actionValues(action, this.sim.nu));
    const warningsBefore = this.warningTotal();
    this.sim.step(ctrl, this.task.frameSkip);
    this.elapsedSteps++;
    const warning = this.warningTotal() !== warningsBefore ? this.lastWarning() : null;
    const positionAfter = this.task.position?.(this.sim) ?? [];
    const observation = this.observe();
    const outcome = this.task.reward(this.sim, {
      action: ctrl,
      dt: this.dt,
      positionBefore: this.positionBefore,
      positionAfter,
    });
    const problem =
      warning ??
      (!allFinite(this.sim.qpos) || !allFinite(this.sim.qvel) ? 'non-finite qpos or qvel' : null) ??
      (!allFinite(observation) ? 'non-finite observation' : null) ??
      (!Number.isFinite(outcome.reward) ? 'non-finite reward' : null);
    if (problem !== null) {
      this.physicsError = `MuJoCo simulation became unstable: ${problem}`;
      return this.failedStep(this.physicsError);
    }
    this.positionBefore = positionAfter;
    this.lastObservation = observation;
    const limit = this.task.maxEpisodeSteps;
    return {
      observation: this.observation(observation),
      reward: outcome.reward,
      terminated: outcome.terminated ?? false,
      truncated: limit !== undefined && this.elapsedSteps >= limit,
      info: outcome.info ?? {},
    };
  }

  getState(): Uint8Array {
    return encodeEnvState({
      hasState: this.hasState,
      integration: this.sim.integrationState(),
      positionBefore: this.positionBefore,
      lastObservation: this.lastObservation,
      elapsedSteps: this.elapsedSteps,
      rng: this.rng?.getState() ?? null,
      physicsError: this.physicsError,
    });
  }

  setState(bytes: Uint8Array): void {
    const state = decodeEnvState(bytes, {
      integration: this.sim.integrationStateSize(),
      position: this.positionSize,
      observation: this.observationSize,
    });
    this.sim.setIntegrationState(state.integration);
    this.hasState = state.hasState;
    this.positionBefore = state.positionBefore;
    this.lastObservation = state.lastObservation;
    this.elapsedSteps = state.elapsedSteps;
    this.physicsError = state.physicsError;
    if (state.rng) {
      this.rng ??= new NumpyGenerator(0);
      this.rng.setState(state.rng);
    } else {
      this.rng = null;
    }
  }

  scene(): Scene {
    return this.sceneOf().scene;
  }

  poses(): ScenePoses {
    return this.sceneOf().poses();
  }

  close(): void {
    this.sim.delete();
  }

  private sceneOf(): MujocoScene {
    return (this.sceneReader ??= new MujocoScene(this.sim, this.task.camera));
  }

  private observe(): Float64Array {
    const values = this.task.observe(this.sim);
    if (values.length !== this.observationSize) {
      throw new Error(`MuJoCo task observation changed length: ${values.length}, expected ${this.observationSize}`);
    }
    return Float64Array.from(values);
  }

  /** A number that changes when MuJoCo raises a warning (cheap print-hook count while that is reliable). */
  private warningTotal(): number {
    return this.runtime.warningsPrinted ? this.runtime.warningCount : this.sim.warnings().total;
  }

  private lastWarning(): string {
    return this.runtime.warningsPrinted ? this.runtime.lastWarning : this.sim.warnings().text;
  }

  private failedStep(message: string): StepOutput {
    const info: Info = { physics_error: message };
    return { observation: this.observation(this.lastObservation), reward: 0, terminated: true, truncated: false, info };
  }

  private observation(values: Float64Array): NDArray<'float64'> {
    return { dtype: 'float64', shape: [values.length], data: values.slice() };
  }
}

function actionValues(action: SpaceValue, size: number): ArrayLike<number> {
  const values = (action as NDArray)?.data ?? action;
  if (
    !values ||
    typeof values !== 'object' ||
    (values as ArrayLike<number>).length !== size ||
    typeof (values as ArrayLike<unknown>)[0] === 'bigint'
  ) {
    throw new VinegymError('INVALID_ACTION', `MuJoCo env expects ${size} float actions`);
  }
  return values as ArrayLike<number>;
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
