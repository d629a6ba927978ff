/**
 * The transport-independent core: sessions, their owners and the server limits. The WebSocket server and
 * embedded (in-process) users call the same methods with protocol request bodies and get protocol results.
 *
 * An owner is any object identifying a client (the server uses its connection object); a session is only
 * visible to the owner that made it, so another owner's session id is UNKNOWN_SESSION.
 */
import { randomBytes } from 'node:crypto';
import { VinegymError, quote } from '@vinegym/protocol';
import type {
  CloseRequest,
  CloseResult,
  ListResult,
  MakeRequest,
  MakeResult,
  RenderRequest,
  RenderResult,
  ResetRequest,
  ResetResult,
  RestoreRequest,
  RestoreResult,
  SnapshotRequest,
  SnapshotResult,
  StepRequest,
  StepResult,
} from '@vinegym/protocol';
import { DEFAULT_BYTES_PER_ENV } from './env.js';
import type { EnvDefinition, EnvHost, EnvKwargs, PreparedEnv } from './env.js';
import { thenMaybe, type EnvSession, type MaybePromise } from './env-session.js';
import { MjcfSandbox, type MjcfLimits } from './envs/mujoco/mjcf-sandbox.js';
import { ModelFileReader } from './model-files.js';
import { withDefaults } from './options.js';
import type { EnvRegistry } from './registry.js';
import { validateKwargs } from './registry.js';
import { PACKAGE_VERSION } from './version.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import { SessionActivity } from './viewer/activity.js';
import {
  limitExceeded,
  mib,
  SessionBudget,
  WASM_HEAP_BUDGET_BYTES,
  workerThreadBytes,
  type Reservation,
  type SessionCost,
} from './session-budget.js';
import { checkSessionArguments, envError } from './session-checks.js';
import {
  checkWorkers,
  createSession,
  DEFAULT_WORKERS,
  planSession,
  type SessionPlan,
  type SessionRequest,
} from './session-factory.js';

/** The limits the service enforces; their defaults live in LIMIT_SPECS (limits.ts) with the server's others. */
export type ServiceLimits = Pick<
  ServerLimits,
  | 'maxSessions'
  | 'maxTotalSessions'
  | 'maxEnvsPerSession'
  | 'maxSnapshotBytes'
  | 'maxWorkerThreads'
  | 'maxWorkerThreadsPerConnection'
  | 'maxSessionMemoryBytes'
  | 'maxTotalSessionMemoryBytes'
  | 'stepTimeoutMs'
>;

export const DEFAULT_SERVICE_LIMITS: Readonly<ServiceLimits> = {
  maxSessions: DEFAULT_LIMITS.maxSessions,
  maxTotalSessions: DEFAULT_LIMITS.maxTotalSessions,
  maxEnvsPerSession: DEFAULT_LIMITS.maxEnvsPerSession,
  maxSnapshotBytes: DEFAULT_LIMITS.maxSnapshotBytes,
  maxWorkerThreads: DEFAULT_LIMITS.maxWorkerThreads,
  maxWorkerThreadsPerConnection: DEFAULT_LIMITS.maxWorkerThreadsPerConnection,
  maxSessionMemoryBytes: DEFAULT_LIMITS.maxSessionMemoryBytes,
  maxTotalSessionMemoryBytes: DEFAULT_LIMITS.maxTotalSessionMemoryBytes,
  stepTimeoutMs: DEFAULT_LIMITS.stepTimeoutMs,
};

export interface EnvServiceOptions {
  registry: EnvRegistry;
  /** Missing entries take DEFAULT_SERVICE_LIMITS. */
  limits?: Partial<ServiceLimits>;
  /** Reported in hello. Default 'vinegym-env-server'. */
  serverName?: string;
  /** Reported in hello. Default: this package's version (package.json). */
  serverVersion?: string;
  /**
   * Worker threads each session of a `parallel` env (the MuJoCo and Atari envs) steps its envs on; 0 steps every session
   * in-process. Default DEFAULT_WORKERS: one per core. Other envs always run in-process. See session-factory.ts.
   */
  workers?: number;
  /**
   * Directory whose regular files clients may name as mujoco/custom-v0's `xml_path`. Default undefined: none, every
   * xml_path is refused. See model-files.ts.
   */
  modelDir?: string;
  /** Budgets for compiling client MJCF (missing entries take DEFAULT_MJCF_LIMITS; other keys are ignored). */
  mjcf?: Partial<MjcfLimits>;
}

export interface ServiceStats {
  /** Open sessions. */
  sessions: number;
  /** Env instances in open sessions. */
  envs: number;
  /** Owners with at least one open session. */
  owners: number;
  /** Worker threads of open sessions and of makes in progress. */
  workerThreads: number;
  /** Estimated bytes of open sessions and of makes in progress (see session-budget.ts). */
  sessionMemoryBytes: number;
}

interface OwnedSession {
  session: EnvSession;
  reservation: Reservation;
  activity: SessionActivity;
}

/** A live session as the viewer sees it (read-only): never its owner, never a way to act on it. */
export interface WatchedSession {
  id: string;
  session: EnvSession;
  activity: SessionActivity;
}

export class EnvService {
  readonly registry: EnvRegistry;
  readonly limits: Readonly<ServiceLimits>;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly workers: number;
  readonly mjcf: MjcfSandbox;
  readonly modelFiles: ModelFileReader;
  private readonly budget: SessionBudget;
  /** What env definitions' prepare may use. */
  private readonly host: EnvHost;
  private readonly sessions = new Map<string, OwnedSession>();
  private readonly sessionsByOwner = new Map<object, Set<string>>();
  private envCount = 0;
  /** Owners closeAllOwnedBy was called for: a make of theirs that finishes later is closed at once. */
  private readonly departedOwners = new WeakSet<object>();

  constructor(options: EnvServiceOptions) {
    this.registry = options.registry;
    this.limits = withDefaults(DEFAULT_SERVICE_LIMITS, options.limits ?? {});
    this.serverName = options.serverName ?? 'vinegym-env-server';
    this.serverVersion = options.serverVersion ?? PACKAGE_VERSION;
    this.workers = checkWorkers(options.workers ?? DEFAULT_WORKERS);
    this.budget = new SessionBudget(this.limits);
    this.mjcf = new MjcfSandbox(options.mjcf);
    this.modelFiles = new ModelFileReader({ dir: options.modelDir, maxBytes: this.mjcf.limits.maxMjcfBytes });
    this.host = {
      readModelFile: (path, key) => this.modelFiles.read(path, key),
      checkMjcf: (xml, checkOptions) => this.mjcf.check(xml, checkOptions),
    };
  }

  list(): ListResult {
    return { envs: this.registry.list() };
  }

  /**
   * Synchronous for in-process sessions of envs whose preparation is; a promise when the session starts worker
   * threads or the env prepares asynchronously (mujoco/custom-v0 compiles its model in a sandbox).
   */
  make(body: MakeRequest, owner: object): MaybePromise<MakeResult> {
    const definition = this.registry.get(body.env_id);
    const kwargs = validateKwargs(definition, body.kwargs);
    const loading = definition.load?.();
    if (loading) return loading.then(() => this.make(body, owner));
    const numEnvs = body.num_envs ?? 1;
    const autoresetMode = body.autoreset_mode ?? 'next_step';
    const seed = body.seed ?? null;
    checkSessionArguments(numEnvs, autoresetMode, seed);
    if (numEnvs > this.limits.maxEnvsPerSession) {
      throw limitExceeded(
        `num_envs ${numEnvs} exceeds max_envs_per_session ${this.limits.maxEnvsPerSession}`,
        'max_envs_per_session',
        this.limits.maxEnvsPerSession,
      );
    }
    const reservation = this.budget.reserve(owner);
    const release = (error: unknown): never => {
      this.budget.release(reservation);
      throw error;
    };
    try {
      const prepared = this.prepare(definition, kwargs);
      const build = (env: PreparedEnv): MaybePromise<MakeResult> =>
        this.build(
          reservation,
          { definition, kwargs: env.kwargs, numEnvs, autoresetMode, seed, strictActions: body.strict_actions },
          env,
        );
      const made = prepared instanceof Promise ? prepared.then(build) : build(prepared);
      return made instanceof Promise ? made.catch(release) : made;
    } catch (error) {
      return release(error);
    }
  }

  /** The definition's prepare (or the defaults), with its failures typed. */
  private prepare(definition: EnvDefinition, kwargs: EnvKwargs): MaybePromise<PreparedEnv> {
    if (definition.prepare === undefined) return { kwargs, bytesPerEnv: DEFAULT_BYTES_PER_ENV };
    const typed = (error: unknown): never => {
      throw error instanceof VinegymError ? error : envError(error, `preparing ${definition.id}`);
    };
    try {
      const prepared = definition.prepare(kwargs, this.host);
      return prepared instanceof Promise ? prepared.catch(typed) : prepared;
    } catch (error) {
      return typed(error);
    }
  }

  /** Charges the session's cost to its reservation, then creates it. */
  private build(reservation: Reservation, request: SessionRequest, prepared: PreparedEnv): MaybePromise<MakeResult> {
    if (this.departedOwners.has(reservation.owner)) throw departed();
    const plan = planSession(request, this.registry, this.workers);
    this.budget.charge(reservation, costOf(prepared, plan, request.numEnvs));
    const created = createSession(request, plan, this.limits.stepTimeoutMs);
    return thenMaybe(created, (session) => this.add(session, reservation));
  }

  /** Registers a new session and describes it. */
  private add(session: EnvSession, reservation: Reservation): MakeResult {
    const { owner } = reservation;
    if (this.departedOwners.has(owner)) {
      session.close();
      throw departed();
    }
    const owned = this.sessionsByOwner.get(owner);
    const sessionId = randomBytes(12).toString('base64url');
    this.sessions.set(sessionId, { session, reservation, activity: new SessionActivity(session.numEnvs) });
    if (owned) owned.add(sessionId);
    else this.sessionsByOwner.set(owner, new Set([sessionId]));
    this.envCount += session.numEnvs;
    return {
      session_id: sessionId,
      env_id: session.envId,
      num_envs: session.numEnvs,
      autoreset_mode: session.autoresetMode,
      single_observation_space: session.singleObservationSpace,
      single_action_space: session.singleActionSpace,
      observation_space: session.observationSpace,
      action_space: session.actionSpace,
      max_episode_steps: session.maxEpisodeSteps,
      snapshot_supported: session.snapshotSupported,
      render_supported: session.renderSupported,
      strict_actions: session.strictActions,
      render_modes: [...session.renderModes],
    };
  }

  reset(body: ResetRequest, owner: object): MaybePromise<ResetResult> {
    const { session, activity } = this.entryOf(body.session_id, owner);
    return thenMaybe(session.reset(body), (result) => {
      activity.recordReset(result.env_indices);
      return result;
    });
  }

  /** `transient`: see EnvSession.step (a connection encodes the result at once). */
  step(body: StepRequest, owner: object, transient = false): MaybePromise<StepResult> {
    const { session, activity } = this.entryOf(body.session_id, owner);
    return thenMaybe(session.step(body.actions, transient), (result) => {
      activity.recordStep(result);
      return result;
    });
  }

  snapshot(body: SnapshotRequest, owner: object): MaybePromise<SnapshotResult> {
    return thenMaybe(this.sessionOf(body.session_id, owner).snapshot(body.env_indices), (snapshots) => ({ snapshots }));
  }

  restore(body: RestoreRequest, owner: object): MaybePromise<RestoreResult> {
    const session = this.sessionOf(body.session_id, owner);
    if (body.snapshot.length > this.limits.maxSnapshotBytes) {
      throw new VinegymError(
        'LIMIT_EXCEEDED',
        `snapshot of ${body.snapshot.length} bytes exceeds max_snapshot_bytes ${this.limits.maxSnapshotBytes}`,
        { limit: 'max_snapshot_bytes', max: this.limits.maxSnapshotBytes },
      );
    }
    return thenMaybe(session.restore(body.env_index, body.snapshot), () => ({}));
  }

  render(body: RenderRequest, owner: object): MaybePromise<RenderResult> {
    return this.sessionOf(body.session_id, owner).render(body.env_index, body.mode ?? 'rgb_array');
  }

  close(body: CloseRequest, owner: object): CloseResult {
    this.sessionOf(body.session_id, owner);
    this.remove(body.session_id);
    return {};
  }

  /** Closes every session of `owner` (the server calls this when a connection goes away). */
  closeAllOwnedBy(owner: object): void {
    this.departedOwners.add(owner);
    for (const id of [...(this.sessionsByOwner.get(owner) ?? [])]) this.remove(id);
  }

  /** Closes every session. */
  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.remove(id);
  }

  /** Stops MJCF compiles (their makes fail) and closes every session; the service is not used afterwards. */
  shutdown(): void {
    this.mjcf.close();
    this.closeAll();
  }

  stats(): ServiceStats {
    const usage = this.budget.usage();
    return {
      sessions: this.sessions.size,
      envs: this.envCount,
      owners: this.sessionsByOwner.size,
      workerThreads: usage.threads,
      sessionMemoryBytes: usage.bytes,
    };
  }

  /** The session `id` if `owner` made it; UNKNOWN_SESSION otherwise. */
  sessionOf(id: string, owner: object): EnvSession {
    return this.entryOf(id, owner).session;
  }

  /** Every open session, for the viewer (which the server lets only holders of its token reach). */
  watchable(): WatchedSession[] {
    return [...this.sessions].map(([id, { session, activity }]) => ({ id, session, activity }));
  }

  /** One open session for the viewer, or undefined. */
  watch(id: string): WatchedSession | undefined {
    const entry = this.sessions.get(id);
    return entry && { id, session: entry.session, activity: entry.activity };
  }

  private entryOf(id: string, owner: object): OwnedSession {
    const entry = this.sessions.get(id);
    if (entry === undefined || entry.reservation.owner !== owner) {
      throw new VinegymError('UNKNOWN_SESSION', `no session ${quote(String(id))} on this connection`);
    }
    return entry;
  }

  private remove(id: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.delete(id);
    this.envCount -= entry.session.numEnvs;
    const { owner } = entry.reservation;
    const owned = this.sessionsByOwner.get(owner);
    owned?.delete(id);
    if (owned?.size === 0) this.sessionsByOwner.delete(owner);
    entry.session.close();
    this.budget.release(entry.reservation);
  }
}

/** What a session holds, from its env's estimate and its plan; LIMIT_EXCEEDED if a thread's MuJoCo heap is too small. */
function costOf(prepared: PreparedEnv, plan: SessionPlan, numEnvs: number): SessionCost {
  const envBytes = numEnvs * prepared.bytesPerEnv;
  if (prepared.wasmHeap === true && plan.threads > 0) {
    const perThread = Math.ceil(numEnvs / plan.threads) * prepared.bytesPerEnv;
    if (perThread > WASM_HEAP_BUDGET_BYTES) {
      throw limitExceeded(
        `${Math.ceil(numEnvs / plan.threads)} envs per worker thread need ~${mib(perThread)} MiB of its MuJoCo heap, more than ${mib(WASM_HEAP_BUDGET_BYTES)} MiB`,
        'wasm_heap_bytes',
        WASM_HEAP_BUDGET_BYTES,
      );
    }
  }
  return {
    bytes: envBytes + (plan.origin === null ? 0 : plan.threads * workerThreadBytes(plan.origin)),
    threads: plan.threads,
    mainHeapBytes: prepared.wasmHeap === true && plan.threads === 0 ? envBytes : 0,
  };
}

function departed(): VinegymError {
  return new VinegymError('UNKNOWN_SESSION', 'the connection closed while the session was being made');
}
