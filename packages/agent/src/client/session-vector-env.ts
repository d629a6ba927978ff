/**
 * A VectorEnv on one session of a vinegym service, reached through a request channel: a WebSocket Connection to
 * a server (RemoteVectorEnv) or an in-process connection to an EnvService in this process (EmbeddedVectorEnv).
 * The channel answers every request with a promise, so the agent side is asynchronous throughout, whichever way
 * the envs are served.
 */
import type {
  MakeResult,
  Messages,
  NDArray,
  RenderResult,
  RequestType,
  ResetRequest,
  ResetResult,
  SpaceValue,
  StepResult,
} from '@vinegym/protocol';
import type { ResetOptions, VectorEnv, VectorEnvOptions } from '../env/vector-env.js';

/** The requests a session needs (all of protocol v1 but the handshake, which a channel does when it opens). */
export type SessionRequestType = Exclude<RequestType, 'hello'>;

/** Sends protocol requests and resolves with their results; rejects with a VinegymError (or a lost link). */
export interface RequestChannel {
  request<T extends SessionRequestType>(type: T, body: Messages[T][0]): Promise<Messages[T][1]>;
  readonly closed: boolean;
  close(): Promise<void>;
}

export class SessionVectorEnv implements VectorEnv {
  protected constructor(
    readonly channel: RequestChannel,
    readonly spec: MakeResult,
    /** Whether closing this env also closes the channel (true when the env opened it). */
    private readonly ownsChannel: boolean,
  ) {}

  /** Makes a session as `options` describe on `channel` and returns its spec. */
  protected static makeSession(channel: RequestChannel, options: VectorEnvOptions): Promise<MakeResult> {
    return channel.request('make', {
      env_id: options.envId,
      kwargs: options.kwargs ?? {},
      num_envs: options.numEnvs ?? 1,
      seed: options.seed ?? null,
      autoreset_mode: options.autoresetMode ?? 'next_step',
      // Only when asked: a server of an earlier revision rejects the field it does not know (and is strict anyway).
      ...(options.strictActions === undefined ? {} : { strict_actions: options.strictActions }),
    });
  }

  get numEnvs(): number {
    return this.spec.num_envs;
  }

  reset(options: ResetOptions = {}): Promise<ResetResult> {
    return this.channel.request('reset', resetBody(this.spec.session_id, options));
  }

  step(actions: SpaceValue): Promise<StepResult> {
    return this.channel.request('step', { session_id: this.spec.session_id, actions });
  }

  async snapshot(envIndices: number[]): Promise<Uint8Array[]> {
    return (await this.channel.request('snapshot', { session_id: this.spec.session_id, env_indices: envIndices }))
      .snapshots;
  }

  async restore(envIndex: number, snapshot: Uint8Array): Promise<void> {
    await this.channel.request('restore', { session_id: this.spec.session_id, env_index: envIndex, snapshot });
  }

  async render(envIndex: number): Promise<NDArray<'uint8'>> {
    return (await this.channel.request('render', { session_id: this.spec.session_id, env_index: envIndex })).frame!;
  }

  async renderScene(envIndex: number, mode: 'scene' | 'poses'): Promise<RenderResult> {
    return this.channel.request('render', { session_id: this.spec.session_id, env_index: envIndex, mode });
  }

  async close(): Promise<void> {
    if (!this.channel.closed)
      await this.channel.request('close', { session_id: this.spec.session_id }).catch(() => undefined);
    if (this.ownsChannel) await this.channel.close();
  }
}

/** The wire body of a reset request: only the fields the caller set, so defaults stay the server's. */
function resetBody(sessionId: string, options: ResetOptions): ResetRequest {
  const body: ResetRequest = { session_id: sessionId };
  if (options.seed !== undefined) body.seed = options.seed;
  if (options.seeds !== undefined) body.seeds = options.seeds;
  if (options.options !== undefined) body.options = options.options;
  if (options.envIndices !== undefined) body.env_indices = options.envIndices;
  return body;
}
