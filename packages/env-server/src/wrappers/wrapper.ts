/**
 * Gymnasium's `Wrapper` for our single-env API: an Env around another Env that passes everything through until a
 * subclass changes it. Wrappers compose from the inside out (see compose.ts); `unwrapped` is the innermost env.
 *
 * Snapshots: a wrapper without state of its own passes the inner env's state bytes through unchanged, so an
 * unwrapped env and one with stateless wrappers snapshot alike. A wrapper with state (a frame stack, episode
 * counters) overrides `ownState`/`loadOwnState`, and its bytes follow the inner env's in a small envelope.
 *
 * Steps: sessions call a wrapper once per env per step, so the pass-through path allocates nothing; a wrapper
 * copies a step's result only where it changes it (TimeLimit, at the step that reaches the limit). `stepInto`
 * (Env.stepInto, the observation written into the caller's array) flows through every wrapper that leaves
 * observations alone; the observation wrappers that sessions use on large frames (AtariPreprocessing,
 * FrameStackObservation) write into the caller's array themselves.
 */
import type { NDArray, Scene, ScenePoses, Space, SpaceValue, TypedArray } from '@vinegym/protocol';
import type { Env, ResetOutput, StepOutcome, StepOutput } from '../env.js';

export abstract class Wrapper implements Env {
  observationSpace: Space;
  actionSpace: Space;

  constructor(readonly env: Env) {
    this.observationSpace = env.observationSpace;
    this.actionSpace = env.actionSpace;
  }

  /** The innermost env. */
  get unwrapped(): Env {
    return this.env instanceof Wrapper ? this.env.unwrapped : this.env;
  }

  reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    return this.env.reset(seed, options);
  }

  step(action: SpaceValue): StepOutput {
    return this.env.step(action);
  }

  /** Env.stepInto through this wrapper; call it only where `stepIntoSupported` (see canStepInto). */
  stepInto(action: SpaceValue, out: TypedArray): StepOutcome {
    return this.env.stepInto!(action, out);
  }

  /** Whether `stepInto` works: by default when the inner env's does, as this wrapper leaves observations alone. */
  get stepIntoSupported(): boolean {
    return canStepInto(this.env);
  }

  /** Whether the env and every wrapper down to it can snapshot. */
  get snapshotSupported(): boolean {
    return canSnapshot(this.env);
  }

  get renderSupported(): boolean {
    return canRender(this.env);
  }

  /** Whether the innermost env describes a 3D scene (Env.scene and Env.poses); wrappers do not change it. */
  get sceneSupported(): boolean {
    return canDescribeScene(this.env);
  }

  getState(): Uint8Array {
    const inner = this.env.getState!();
    const own = this.ownState();
    if (own === null) return inner;
    return joinStates(inner, own);
  }

  setState(state: Uint8Array): void {
    if (!this.hasState) {
      this.env.setState!(state);
      return;
    }
    const [inner, own] = splitStates(state);
    this.env.setState!(inner);
    this.loadOwnState(own);
  }

  render(): NDArray<'uint8'> {
    return this.env.render!();
  }

  scene(): Scene {
    return this.env.scene!();
  }

  poses(): ScenePoses {
    return this.env.poses!();
  }

  close(): void {
    this.env.close?.();
  }

  /** Whether this wrapper keeps state that a snapshot must carry. */
  protected get hasState(): boolean {
    return false;
  }

  /** This wrapper's own state as bytes, or null if it has none. */
  protected ownState(): Uint8Array | null {
    return null;
  }

  protected loadOwnState(_state: Uint8Array): void {
    throw new Error(`${this.constructor.name} has no state to load`);
  }
}

/** An observation-only change, as Gymnasium's ObservationWrapper: `observation` maps each reset and step observation. */
export abstract class ObservationWrapper extends Wrapper {
  override reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    const out = this.env.reset(seed, options);
    return { observation: this.observation(out.observation), info: out.info };
  }

  override step(action: SpaceValue): StepOutput {
    const out = this.env.step(action);
    return { ...out, observation: this.observation(out.observation) };
  }

  /** `observation` returns a new value, so this wrapper has no `stepInto` unless a subclass writes one. */
  override get stepIntoSupported(): boolean {
    return false;
  }

  protected abstract observation(observation: SpaceValue): SpaceValue;
}

/** An action-only change, as Gymnasium's ActionWrapper: `action` maps the action before the inner env sees it. */
export abstract class ActionWrapper extends Wrapper {
  override step(action: SpaceValue): StepOutput {
    return this.env.step(this.action(action));
  }

  override stepInto(action: SpaceValue, out: TypedArray): StepOutcome {
    return this.env.stepInto!(this.action(action), out);
  }

  protected abstract action(action: SpaceValue): SpaceValue;
}

/** Whether `env` (wrapped or not) can snapshot: every layer can. */
export function canSnapshot(env: Env): boolean {
  if (env instanceof Wrapper) return env.snapshotSupported;
  return typeof env.getState === 'function' && typeof env.setState === 'function';
}

/** Whether `env` (wrapped or not) renders. */
export function canRender(env: Env): boolean {
  return env instanceof Wrapper ? env.renderSupported : typeof env.render === 'function';
}

/** Whether `env` (wrapped or not) describes a 3D scene (render modes scene and poses). */
export function canDescribeScene(env: Env): boolean {
  if (env instanceof Wrapper) return env.sceneSupported;
  return typeof env.scene === 'function' && typeof env.poses === 'function';
}

/** Whether `env` (wrapped or not) writes its observations into the caller's array (Env.stepInto). */
export function canStepInto(env: Env): boolean {
  return env instanceof Wrapper ? env.stepIntoSupported : typeof env.stepInto === 'function';
}

/** [u32 LE inner length][inner][own]. */
function joinStates(inner: Uint8Array, own: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + inner.byteLength + own.byteLength);
  new DataView(out.buffer).setUint32(0, inner.byteLength, true);
  out.set(inner, 4);
  out.set(own, 4 + inner.byteLength);
  return out;
}

function splitStates(state: Uint8Array): [Uint8Array, Uint8Array] {
  if (state.byteLength < 4) throw new Error('wrapper state is truncated');
  const innerLength = new DataView(state.buffer, state.byteOffset, state.byteLength).getUint32(0, true);
  if (4 + innerLength > state.byteLength) throw new Error('wrapper state is truncated');
  return [state.subarray(4, 4 + innerLength), state.subarray(4 + innerLength)];
}
