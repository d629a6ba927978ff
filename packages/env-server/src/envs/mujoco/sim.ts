/**
 * One simulation: a (shared, cached) compiled MjModel and this env's own MjData, with typed views on the mjData
 * arrays tasks read. A view is made once (each embind getter call builds a new one, ~0.5 µs, and tasks read qpos
 * a dozen times per step) and made again only after wasm memory growth has detached it.
 */
import type { MainModule, MjData, MjModel } from 'mujoco-js';
import type { MujocoRuntime } from './runtime.js';

export class MujocoSim {
  readonly mujoco: MainModule;
  readonly model: MjModel;
  readonly data: MjData;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly nbody: number;
  readonly timestep: number;
  /** The model's reference configuration (Gymnasium's init_qpos). */
  readonly qpos0: Float64Array;
  readonly bodyMass: Float64Array;
  private readonly stateSpec: number;
  private deleted = false;
  /** mjData array views by field name; see view(). */
  private readonly views = new Map<string, Float64Array>();

  constructor(
    private readonly runtime: MujocoRuntime,
    xml: string,
  ) {
    this.mujoco = runtime.module;
    this.model = runtime.acquireModel(xml);
    this.data = new this.mujoco.MjData(this.model);
    const m = this.model;
    [this.nq, this.nv, this.nu, this.nbody] = [m.nq, m.nv, m.nu, m.nbody];
    this.timestep = m.opt.timestep;
    this.qpos0 = Float64Array.from(m.qpos0 as Float64Array);
    this.bodyMass = Float64Array.from(m.body_mass as Float64Array);
    this.stateSpec = this.mujoco.mjtState.mjSTATE_INTEGRATION.value;
  }

  get qpos(): Float64Array {
    return this.view('qpos');
  }
  get qvel(): Float64Array {
    return this.view('qvel');
  }
  get ctrl(): Float64Array {
    return this.view('ctrl');
  }
  /** Body frame positions, nbody × 3. */
  get xpos(): Float64Array {
    return this.view('xpos');
  }
  /** Body centre-of-mass positions, nbody × 3. */
  get xipos(): Float64Array {
    return this.view('xipos');
  }
  /** Com-based body inertias, nbody × 10. */
  get cinert(): Float64Array {
    return this.view('cinert');
  }
  /** Com-based body velocities, nbody × 6. */
  get cvel(): Float64Array {
    return this.view('cvel');
  }
  /** Com-based external (contact) forces, nbody × 6; filled by mj_rnePostConstraint. */
  get cfrcExt(): Float64Array {
    return this.view('cfrc_ext');
  }
  get qfrcActuator(): Float64Array {
    return this.view('qfrc_actuator');
  }
  get tendonLength(): Float64Array {
    return this.view('ten_length');
  }
  get tendonVelocity(): Float64Array {
    return this.view('ten_velocity');
  }
  /** [low, high] per actuator (a flat nu × 2 copy). */
  ctrlRange(): Float64Array {
    return Float64Array.from(this.model.actuator_ctrlrange as Float64Array);
  }

  /** Id of the named body; -1 if there is none. */
  bodyId(name: string): number {
    return this.mujoco.mj_name2id(this.model, this.mujoco.mjtObj.mjOBJ_BODY.value, name);
  }

  /** mj_resetData: the model's initial state, zero controls and cleared warnings. */
  resetData(): void {
    this.mujoco.mj_resetData(this.model, this.data);
  }

  /** Gymnasium's MujocoEnv.set_state: copy qpos and qvel in, then mj_forward. */
  setPositionsVelocities(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    if (qpos.length !== this.nq || qvel.length !== this.nv) {
      throw new RangeError(
        `expected qpos of ${this.nq} and qvel of ${this.nv} values, got ${qpos.length} and ${qvel.length}`,
      );
    }
    this.qpos.set(qpos);
    this.qvel.set(qvel);
    this.mujoco.mj_forward(this.model, this.data);
  }

  /**
   * Gymnasium's do_simulation: ctrl = action (unclipped; MuJoCo clamps to ctrlrange inside the force
   * computation), mj_step `frameSkip` times, then one mj_rnePostConstraint so cfrc_ext is filled. No mj_forward
   * afterwards: xpos, cinert, cvel stay those of the last substep's start, as Gymnasium reads them.
   */
  step(action: ArrayLike<number>, frameSkip: number): void {
    this.ctrl.set(action);
    for (let i = 0; i < frameSkip; i++) this.mujoco.mj_step(this.model, this.data);
    this.mujoco.mj_rnePostConstraint(this.model, this.data);
  }

  /** mj_getState(mjSTATE_INTEGRATION): everything mj_step reads (time, qpos, qvel, act, warmstart, ctrl, ...). */
  integrationState(): Float64Array {
    const size = this.mujoco.mj_stateSize(this.model, this.stateSpec);
    const buffer = new this.mujoco.DoubleBuffer(size);
    try {
      this.mujoco.mj_getState(this.model, this.data, buffer, this.stateSpec);
      return Float64Array.from(buffer.GetView() as Float64Array);
    } finally {
      buffer.delete();
    }
  }

  integrationStateSize(): number {
    return this.mujoco.mj_stateSize(this.model, this.stateSpec);
  }

  /** Restores an `integrationState()`; mj_resetData first so stale warning counters cannot mask new warnings. */
  setIntegrationState(state: Float64Array): void {
    this.resetData();
    this.mujoco.mj_setState(this.model, this.data, state as unknown as number[], this.stateSpec);
  }

  /** Total of mjData's warning counters and the text of the last kind that is set ('' if none). */
  warnings(): { total: number; text: string } {
    const stats = this.data.warning;
    let total = 0;
    let text = '';
    try {
      for (let kind = 0; kind < stats.size(); kind++) {
        const stat = stats.get(kind)!;
        if (stat.number > 0) {
          total += stat.number;
          text = `WARNING: ${this.mujoco.mju_warningText(kind, stat.lastinfo)}`;
        }
        stat.delete();
      }
    } finally {
      stats.delete();
    }
    return { total, text };
  }

  /** The view on mjData field `name`; a fresh one when the cached one was detached (its buffer has no bytes). */
  private view(
    name:
      | 'qpos'
      | 'qvel'
      | 'ctrl'
      | 'xpos'
      | 'xipos'
      | 'cinert'
      | 'cvel'
      | 'cfrc_ext'
      | 'qfrc_actuator'
      | 'ten_length'
      | 'ten_velocity',
  ): Float64Array {
    const cached = this.views.get(name);
    if (cached !== undefined && cached.buffer.byteLength !== 0) return cached;
    const view = this.data[name] as Float64Array;
    this.views.set(name, view);
    return view;
  }

  /** Frees the MjData and releases the shared model. Idempotent. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.data.delete();
    this.runtime.releaseModel(this.model);
  }
}
