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
import type { EnvRegistry } from './registry.js';
import { validateKwargs } from './registry.js';
import { thenMaybe, type EnvSession, type MaybePromise } from './env-session.js';
import { checkWorkers, createSession, DEFAULT_WORKERS } from './session-factory.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import { SessionActivity } from './viewer/activity.js';

/** The limits the service enforces; their defaults live in LIMIT_SPECS (limits.ts) with the server's others. */
export type ServiceLimits = Pick<ServerLimits, 'maxSessions' | 'maxTotalSessions' | 'maxEnvsPerSession' | 'maxSnapshotBytes'>;

export const DEFAULT_SERVICE_LIMITS: Readonly<ServiceLimits> = {
  maxSessions: DEFAULT_LIMITS.maxSessions,
  maxTotalSessions: DEFAULT_LIMITS.maxTotalSessions,
  maxEnvsPerSession: DEFAULT_LIMITS.maxEnvsPerSession,
  maxSnapshotBytes: DEFAULT_LIMITS.maxSnapshotBytes,
};

export interface EnvServiceOptions {
  registry: EnvRegistry;
  /** Missing entries take DEFAULT_SERVICE_LIMITS. */
  limits?: Partial<ServiceLimits>;
  /** Reported in hello. Default 'vinegym-env-server'. */
  serverName?: string;
  /** Reported in hello. Default '0.1.0'. */
  serverVersion?: string;
  /**
   * Worker threads each session of a `parallel` env (the MuJoCo and Atari envs) steps its envs on; 0 steps every session
   * in-process. Default DEFAULT_WORKERS: one per core. Other envs always run in-process. See session-factory.ts.
   */
  workers?: number;
}

export interface ServiceStats {
  /** Open sessions. */
  sessions: number;
  /** Env instances in open sessions. */
  envs: number;
  /** Owners with at least one open session. */
  owners: number;
}

interface OwnedSession {
  session: EnvSession;
  owner: object;
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
  private readonly sessions = new Map<string, OwnedSession>();
  private readonly sessionsByOwner = new Map<object, Set<string>>();
  private envCount = 0;
  /** Sessions being created on worker threads (they count towards max_total_sessions already). */
  private pendingMakes = 0;
  /** Owners closeAllOwnedBy was called for: a make of theirs that finishes later is closed at once. */
  private readonly departedOwners = new WeakSet<object>();

  constructor(options: EnvServiceOptions) {
    this.registry = options.registry;
    const given = definedEntries(options.limits ?? {});
    this.limits = {
      maxSessions: given.maxSessions ?? DEFAULT_SERVICE_LIMITS.maxSessions,
      maxTotalSessions: given.maxTotalSessions ?? DEFAULT_SERVICE_LIMITS.maxTotalSessions,
      maxEnvsPerSession: given.maxEnvsPerSession ?? DEFAULT_SERVICE_LIMITS.maxEnvsPerSession,
      maxSnapshotBytes: given.maxSnapshotBytes ?? DEFAULT_SERVICE_LIMITS.maxSnapshotBytes,
    };
    this.serverName = options.serverName ?? 'vinegym-env-server';
    this.serverVersion = options.serverVersion ?? '0.1.0';
    this.workers = checkWorkers(options.workers ?? DEFAULT_WORKERS);
  }

  list(): ListResult {
    return { envs: this.registry.list() };
  }

  /** Synchronous for in-process sessions; a promise when the session starts worker threads. */
  make(body: MakeRequest, owner: object): MaybePromise<MakeResult> {
    const definition = this.registry.get(body.env_id);
    const kwargs = validateKwargs(definition, body.kwargs);
    const loading = definition.load?.();
    if (loading) return loading.then(() => this.make(body, owner));
    const numEnvs = body.num_envs ?? 1;
    if (Number.isSafeInteger(numEnvs) && numEnvs > this.limits.maxEnvsPerSession) {
      throw new VinegymError(
        'LIMIT_EXCEEDED',
        `num_envs ${numEnvs} exceeds max_envs_per_session ${this.limits.maxEnvsPerSession}`,
        { limit: 'max_envs_per_session', max: this.limits.maxEnvsPerSession },
      );
    }
    const owned = this.sessionsByOwner.get(owner);
    if ((owned?.size ?? 0) >= this.limits.maxSessions) {
      throw new VinegymError('LIMIT_EXCEEDED', `this connection already has ${this.limits.maxSessions} sessions`, {
        limit: 'max_sessions',
        max: this.limits.maxSessions,
      });
    }
    if (this.sessions.size + this.pendingMakes >= this.limits.maxTotalSessions) {
      throw new VinegymError('LIMIT_EXCEEDED', `the server already has ${this.limits.maxTotalSessions} sessions`, {
        limit: 'max_total_sessions',
        max: this.limits.maxTotalSessions,
      });
    }
    const created = createSession(
      { definition, kwargs, numEnvs, autoresetMode: body.autoreset_mode, seed: body.seed, strictActions: body.strict_actions },
      this.registry,
      this.workers,
    );
    if (!(created instanceof Promise)) return this.add(created, owner);
    this.pendingMakes++;
    return created.finally(() => this.pendingMakes--).then((session) => this.add(session, owner));
  }

  /** Registers a new session of `owner` and describes it. */
  private add(session: EnvSession, owner: object): MakeResult {
    if (this.departedOwners.has(owner)) {
      // The connection went away while the session was being created on worker threads.
      session.close();
      throw new VinegymError('UNKNOWN_SESSION', 'the connection closed while the session was being made');
    }
    const owned = this.sessionsByOwner.get(owner);
    const sessionId = randomBytes(12).toString('base64url');
    this.sessions.set(sessionId, { session, owner, activity: new SessionActivity(session.numEnvs) });
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
      render_modes: [...session.renderModes],
      strict_actions: session.strictActions,
    };
  }

  reset(body: ResetRequest, owner: object): MaybePromise<ResetResult> {
    const { session, activity } = this.entryOf(body.session_id, owner);
    return thenMaybe(session.reset(body), (result) => {
      activity.recordReset(result.env_indices);
      return result;
    });
  }

  step(body: StepRequest, owner: object): MaybePromise<StepResult> {
    const { session, activity } = this.entryOf(body.session_id, owner);
    return thenMaybe(session.step(body.actions), (result) => {
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

  stats(): ServiceStats {
    return { sessions: this.sessions.size, envs: this.envCount, owners: this.sessionsByOwner.size };
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
    if (entry === undefined || entry.owner !== owner) {
      throw new VinegymError('UNKNOWN_SESSION', `no session ${quote(String(id))} on this connection`);
    }
    return entry;
  }

  private remove(id: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.delete(id);
    this.envCount -= entry.session.numEnvs;
    const owned = this.sessionsByOwner.get(entry.owner);
    owned?.delete(id);
    if (owned?.size === 0) this.sessionsByOwner.delete(entry.owner);
    entry.session.close();
  }
}

/** The entries of `object` whose value is not undefined, so they do not override defaults with undefined. */
function definedEntries<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}
