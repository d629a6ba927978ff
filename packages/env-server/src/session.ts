/**
 * A vector session: `numEnvs` instances of one env, each in the wrappers its make asked for (wrappers/compose.ts:
 * TimeLimit, Autoreset in next_step, same_step or disabled mode, ...), plus what Gymnasium's vector envs add on top
 * of single envs — request checks, seeding rules, batching of observations and actions, snapshots and rendering.
 *
 * Everything is synchronous; a session is used by one connection, one request at a time.
 */
import { batchSpace, createBatch, ndarray, readFromBatch, VinegymError, writeToBatch } from '@vinegym/protocol';
import type {
  AutoresetMode,
  Info,
  NDArray,
  RenderMode,
  RenderResult,
  ResetResult,
  Space,
  SpaceValue,
  StepResult,
  TypedArray,
} from '@vinegym/protocol';
import type { EnvDefinition, EnvKwargs, StepOutcome, StepOutput } from './env.js';
import { canonicalKwargs, decodeSnapshot, encodeSnapshot } from './snapshot.js';
import type { EnvStatus } from './snapshot.js';
import {
  checkActions,
  checkIndex,
  checkIndexList,
  checkRenderable,
  checkRenderMode,
  checkSessionArguments,
  checkSteppable,
  envError,
  renderEnv,
  renderModesOf,
  resetSeeds,
  type SessionResetOptions,
  statusAfterStep,
} from './session-checks.js';
import type { Autoreset } from './wrappers/autoreset.js';
import { episodeLimit, makeWrappedEnv, type WrappedEnv } from './wrappers/compose.js';
import { canSnapshot, canStepInto } from './wrappers/wrapper.js';

export { AUTORESET_MODES, type SessionResetOptions } from './session-checks.js';

export interface VectorSessionOptions {
  definition: EnvDefinition;
  /** Kwargs already validated and completed with defaults (see `validateKwargs`). */
  kwargs: EnvKwargs;
  /** Number of env instances; a positive integer. */
  numEnvs: number;
  /** Default 'next_step', Gymnasium's default. */
  autoresetMode?: AutoresetMode;
  /** Env i's first reset uses seed + i unless that reset passes its own seed. Default null: no seeding. */
  seed?: number | null;
  /**
   * Reject Box actions outside the action space's bounds (INVALID_ACTION). Default false: such actions reach the
   * env as Gymnasium passes them (NaN and infinities are always rejected).
   */
  strictActions?: boolean;
  /**
   * Index of this session's env 0 in a larger session (a ParallelSession runs one VectorSession per worker over
   * a slice of its envs). Only used in error messages, so they name the env the client knows. Default 0.
   */
  indexOffset?: number;
}

export class VectorSession {
  readonly envId: string;
  readonly numEnvs: number;
  readonly autoresetMode: AutoresetMode;
  readonly strictActions: boolean;
  readonly maxEpisodeSteps: number | null;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly snapshotSupported: boolean;
  readonly renderSupported: boolean;
  readonly renderModes: readonly RenderMode[];

  private readonly envs: WrappedEnv[];
  /** The outermost wrapper (Autoreset) of each env, which the step loop calls. */
  private readonly outer: Autoreset[];
  /** Elements per observation when the wrapped envs write Box observations into batch rows (Env.stepInto), else 0. */
  private readonly inPlaceRowSize: number;
  private readonly indexOffset: number;
  private readonly kwargsKey: string;
  private readonly status: EnvStatus[];
  /** Seed from make for each env's first reset; null once used (or if make gave none). */
  private readonly pendingSeeds: (number | null)[];
  /** Why the session stopped working (an env threw); null while healthy. */
  private brokenReason: string | null = null;
  private reusedBatch: SpaceValue | null = null;

  constructor(options: VectorSessionOptions) {
    const { definition, kwargs, numEnvs } = options;
    const autoresetMode = options.autoresetMode ?? 'next_step';
    const seed = options.seed ?? null;
    checkSessionArguments(numEnvs, autoresetMode, seed);
    this.indexOffset = options.indexOffset ?? 0;
    this.envId = definition.id;
    this.numEnvs = numEnvs;
    this.autoresetMode = autoresetMode;
    this.strictActions = options.strictActions ?? false;
    this.maxEpisodeSteps = episodeLimit(definition, kwargs);
    this.kwargsKey = canonicalKwargs(kwargs);
    this.envs = [];
    try {
      for (let i = 0; i < numEnvs; i++) this.envs.push(makeWrappedEnv(definition, kwargs, autoresetMode));
    } catch (error) {
      this.closeEnvs();
      // An env that refuses its kwargs says so with a VinegymError (INVALID_KWARGS naming the key, or ENV_ERROR
      // naming a missing resource): that code and its details are the answer (PROTOCOL.md 7.3).
      if (error instanceof VinegymError) throw error;
      throw envError(error, `creating ${definition.id}`);
    }
    this.outer = this.envs.map((wrapped) => wrapped.env);
    const first = this.outer[0];
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.observationSpace = batchSpace(first.observationSpace, numEnvs);
    this.actionSpace = batchSpace(first.actionSpace, numEnvs);
    this.snapshotSupported = canSnapshot(first);
    this.renderModes = renderModesOf(first);
    this.renderSupported = this.renderModes.includes('rgb_array');
    const single = first.observationSpace;
    this.inPlaceRowSize = canStepInto(first) && single.type === 'box' ? single.shape.reduce((a, b) => a * b, 1) : 0;
    this.status = new Array<EnvStatus>(numEnvs).fill('needs_reset');
    this.pendingSeeds = Array.from({ length: numEnvs }, (_, i) => (seed === null ? null : seed + i));
  }

  /** Resets all envs or `env_indices`; observations and infos follow the order of the returned env_indices. */
  reset(request: SessionResetOptions = {}): ResetResult {
    this.assertHealthy();
    const indices = request.env_indices ?? Array.from({ length: this.numEnvs }, (_, i) => i);
    checkIndexList(indices, this.numEnvs);
    const seeds = resetSeeds(request, indices);
    const options = request.options ?? undefined;
    const observations = createBatch(this.singleObservationSpace, indices.length);
    const infos: Info[] = new Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const seed = seeds[k] ?? this.pendingSeeds[i] ?? undefined;
      const out = this.callEnv(i, 'reset', () => this.envs[i].env.reset(seed, options));
      this.pendingSeeds[i] = null;
      this.status[i] = 'running';
      writeToBatch(this.singleObservationSpace, observations, k, out.observation);
      infos[k] = out.info;
    }
    return { env_indices: indices.slice(), observations, infos };
  }

  /**
   * One step of every env with the batch `actions`; see StepResult in the protocol for the semantics. With
   * `observationsInto` (a batch of this session's observations, e.g. shared memory) the observations are written
   * there and the result's `observations` is that batch.
   */
  step(actions: SpaceValue, transient = false, observationsInto?: SpaceValue): StepResult {
    this.assertHealthy();
    const n = this.numEnvs;
    // Everything is checked before any env moves, so a rejected step changes nothing.
    checkSteppable(this.status, this.autoresetMode, this.indexOffset);
    checkActions(this.singleActionSpace, actions, n, this.indexOffset, this.strictActions);

    const sameStep = this.autoresetMode === 'same_step';
    const observations =
      observationsInto ?? (transient ? this.transientBatch() : createBatch(this.singleObservationSpace, n));
    const rowSize = this.inPlaceRowSize;
    const rows = rowSize > 0 ? ((observations as NDArray).data as TypedArray) : null;
    const rewards = new Float64Array(n);
    const terminated = new Uint8Array(n);
    const truncated = new Uint8Array(n);
    const autoreset = new Uint8Array(n);
    const infos: Info[] = new Array(n);
    const finalObservations: (SpaceValue | null)[] | undefined = sameStep ? new Array(n).fill(null) : undefined;
    const finalInfos: (Info | null)[] | undefined = sameStep ? new Array(n).fill(null) : undefined;

    // One try around the loop (not a closure per env call) keeps the per-env cost low.
    let current = 0;
    try {
      for (let i = 0; i < n; i++) {
        current = i;
        // The Autoreset wrapper ignores the action of an env whose episode ended (next_step) and resets it.
        const env = this.outer[i];
        const action = readFromBatch(this.singleActionSpace, actions, i);
        const row = rows === null ? null : rows.subarray(i * rowSize, (i + 1) * rowSize);
        const out: StepOutcome = row === null ? env.step(action) : env.stepInto(action, row);
        rewards[i] = out.reward;
        terminated[i] = out.terminated ? 1 : 0;
        truncated[i] = out.truncated ? 1 : 0;
        autoreset[i] = env.stepOnlyReset ? 1 : 0;
        const final = env.final;
        if (final !== null) {
          finalObservations![i] = final.observation;
          finalInfos![i] = final.info;
        }
        if (out.terminated || out.truncated) this.status[i] = statusAfterStep(this.autoresetMode, true);
        else if (env.stepOnlyReset) this.status[i] = 'running';
        if (row === null) writeToBatch(this.singleObservationSpace, observations, i, (out as StepOutput).observation);
        infos[i] = out.info;
      }
    } catch (error) {
      // Some envs have moved and others not: the session cannot be trusted any more.
      throw this.breakOn(error, `${this.envId} env ${current + this.indexOffset} step`);
    }

    const result: StepResult = {
      observations,
      rewards: ndarray('float64', [n], rewards),
      terminated: ndarray('bool', [n], terminated),
      truncated: ndarray('bool', [n], truncated),
      autoreset: ndarray('bool', [n], autoreset),
      infos,
    };
    if (sameStep) {
      result.final_observations = finalObservations;
      result.final_infos = finalInfos;
    }
    return result;
  }

  /** The observation batch that transient steps reuse (a fresh batch per step is ~1 MB of garbage for Atari). */
  private transientBatch(): SpaceValue {
    this.reusedBatch ??= createBatch(this.singleObservationSpace, this.numEnvs);
    return this.reusedBatch;
  }

  /** One snapshot (see snapshot.ts) per index. NOT_SUPPORTED if the env has no getState. */
  snapshot(envIndices: number[]): Uint8Array[] {
    this.assertHealthy();
    checkIndexList(envIndices, this.numEnvs, false);
    this.assertSnapshotSupported();
    return envIndices.map((i) => {
      const state = this.callEnv(i, 'getState', () => this.envs[i].env.getState());
      const header = {
        env_id: this.envId,
        kwargs: this.kwargsKey,
        elapsed_steps: this.envs[i].timeLimit?.elapsedSteps ?? 0,
        status: this.status[i],
        pending_seed: this.pendingSeeds[i],
      };
      return encodeSnapshot(header, state);
    });
  }

  /** Puts env `envIndex` back into the state of `snapshot`, which must come from the same env id and kwargs. */
  restore(envIndex: number, snapshot: Uint8Array): void {
    this.assertHealthy();
    checkIndex(envIndex, this.numEnvs);
    this.assertSnapshotSupported();
    const { header, state } = decodeSnapshot(snapshot);
    if (header.env_id !== this.envId) {
      throw new VinegymError('BAD_REQUEST', `snapshot is of env ${header.env_id}, this session runs ${this.envId}`);
    }
    if (header.kwargs !== this.kwargsKey) {
      throw new VinegymError(
        'BAD_REQUEST',
        `snapshot kwargs ${header.kwargs} differ from this session's ${this.kwargsKey}`,
      );
    }
    const { env, timeLimit } = this.envs[envIndex];
    this.callEnv(envIndex, 'setState', () => env.setState(state));
    if (timeLimit) timeLimit.elapsedSteps = header.elapsed_steps;
    env.episodeEnded = header.status === 'ended';
    this.status[envIndex] = header.status;
    this.pendingSeeds[envIndex] = header.pending_seed;
  }

  render(envIndex: number, mode: RenderMode = 'rgb_array'): RenderResult {
    this.assertHealthy();
    checkIndex(envIndex, this.numEnvs);
    checkRenderMode(this.envId, this.renderModes, mode);
    checkRenderable(this.status[envIndex], envIndex + this.indexOffset);
    return this.callEnv(envIndex, 'render', () => renderEnv(this.envs[envIndex].env, mode));
  }

  /** Frees the envs. The session must not be used afterwards. */
  close(): void {
    if (this.brokenReason === null) this.brokenReason = 'session is closed';
    this.closeEnvs();
  }

  get broken(): boolean {
    return this.brokenReason !== null;
  }

  private closeEnvs(): void {
    for (const { env } of this.envs.splice(0)) {
      try {
        env.close();
      } catch {
        // An env that fails to close has nothing left for us to free.
      }
    }
  }

  /**
   * Runs one env call outside the step loop. Errors become ENV_ERROR and break the session, except
   * VinegymErrors, which pass through (per the Env contract an env throws those before changing anything).
   */
  private callEnv<T>(index: number, what: string, call: () => T): T {
    try {
      return call();
    } catch (error) {
      if (error instanceof VinegymError) throw error;
      throw this.breakOn(error, `${this.envId} env ${index + this.indexOffset} ${what}`);
    }
  }

  /** Marks the session unusable after an env failure and returns the ENV_ERROR to throw. */
  private breakOn(error: unknown, context: string): VinegymError {
    const wrapped = envError(error, context);
    this.brokenReason = wrapped.message;
    this.closeEnvs();
    return wrapped;
  }

  private assertHealthy(): void {
    if (this.brokenReason !== null) {
      throw new VinegymError('ENV_ERROR', `session is unusable: ${this.brokenReason}; close it and make a new one`);
    }
  }

  private assertSnapshotSupported(): void {
    if (!this.snapshotSupported) {
      throw new VinegymError('NOT_SUPPORTED', `env ${this.envId} does not support snapshot/restore`);
    }
  }
}
