/** A VectorEnv whose envs live on a vinegym server (ours or any other that speaks protocol v1). */
import type { MakeResult, NDArray, ResetResult, SpaceValue, StepResult } from '@vinegym/protocol';
import type { ResetOptions, VectorEnv, VectorEnvOptions } from '../env/vector-env.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { resetBody } from './reset-body.js';

export class RemoteVectorEnv implements VectorEnv {
  private constructor(
    readonly connection: Connection,
    readonly spec: MakeResult,
    /** Whether closing this env also closes the connection (true when `connect` opened it). */
    private readonly ownsConnection: boolean,
  ) {}

  /** Opens a connection to `url`, makes a session on it and returns the env; `close()` closes both. */
  static async connect(url: string, options: VectorEnvOptions & ConnectionOptions): Promise<RemoteVectorEnv> {
    const connection = await Connection.open(url, options);
    try {
      return await RemoteVectorEnv.make(connection, options, true);
    } catch (err) {
      await connection.close();
      throw err;
    }
  }

  /** Makes a session on an open connection (several envs may share one connection). */
  static async make(connection: Connection, options: VectorEnvOptions, ownsConnection = false): Promise<RemoteVectorEnv> {
    const spec = await connection.request('make', {
      env_id: options.envId,
      kwargs: options.kwargs ?? {},
      num_envs: options.numEnvs ?? 1,
      seed: options.seed ?? null,
      autoreset_mode: options.autoresetMode ?? 'next_step',
    });
    return new RemoteVectorEnv(connection, spec, ownsConnection);
  }

  get numEnvs(): number {
    return this.spec.num_envs;
  }

  reset(options: ResetOptions = {}): Promise<ResetResult> {
    return this.connection.request('reset', resetBody(this.spec.session_id, options));
  }

  step(actions: SpaceValue): Promise<StepResult> {
    return this.connection.request('step', { session_id: this.spec.session_id, actions });
  }

  async snapshot(envIndices: number[]): Promise<Uint8Array[]> {
    const result = await this.connection.request('snapshot', { session_id: this.spec.session_id, env_indices: envIndices });
    return result.snapshots;
  }

  async restore(envIndex: number, snapshot: Uint8Array): Promise<void> {
    await this.connection.request('restore', { session_id: this.spec.session_id, env_index: envIndex, snapshot });
  }

  async render(envIndex: number): Promise<NDArray<'uint8'>> {
    const result = await this.connection.request('render', { session_id: this.spec.session_id, env_index: envIndex });
    return result.frame;
  }

  async close(): Promise<void> {
    if (!this.connection.closed) {
      await this.connection.request('close', { session_id: this.spec.session_id }).catch(() => undefined);
    }
    if (this.ownsConnection) await this.connection.close();
  }
}
