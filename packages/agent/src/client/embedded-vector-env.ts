/**
 * A VectorEnv served in-process by the same EnvService the WebSocket server uses: identical semantics and errors,
 * no sockets and no encoding. The default for `vinegym train` and for tests.
 */
import { EnvService, createDefaultRegistry } from '@vinegym/env-server';
import type { MakeResult, NDArray, ResetResult, SpaceValue, StepResult } from '@vinegym/protocol';
import type { ResetOptions, VectorEnv, VectorEnvOptions } from '../env/vector-env.js';
import { resetBody } from './reset-body.js';

export class EmbeddedVectorEnv implements VectorEnv {
  private constructor(
    private readonly service: EnvService,
    readonly spec: MakeResult,
    /** Session owner token, as a connection would be on the server. */
    private readonly owner: object,
  ) {}

  /**
   * Makes a session on `service`; without one, on a private service with the built-in registry (pass a service to
   * serve plug-in envs or to share limits between envs).
   */
  static async make(options: VectorEnvOptions, service?: EnvService): Promise<EmbeddedVectorEnv> {
    service ??= new EnvService({ registry: createDefaultRegistry() });
    const owner = {};
    const spec = await service.make(
      {
        env_id: options.envId,
        kwargs: options.kwargs ?? {},
        num_envs: options.numEnvs ?? 1,
        seed: options.seed ?? null,
        autoreset_mode: options.autoresetMode ?? 'next_step',
      },
      owner,
    );
    return new EmbeddedVectorEnv(service, spec, owner);
  }

  get numEnvs(): number {
    return this.spec.num_envs;
  }

  async reset(options: ResetOptions = {}): Promise<ResetResult> {
    return this.service.reset(resetBody(this.spec.session_id, options), this.owner);
  }

  async step(actions: SpaceValue): Promise<StepResult> {
    return this.service.step({ session_id: this.spec.session_id, actions }, this.owner);
  }

  async snapshot(envIndices: number[]): Promise<Uint8Array[]> {
    return (await this.service.snapshot({ session_id: this.spec.session_id, env_indices: envIndices }, this.owner)).snapshots;
  }

  async restore(envIndex: number, snapshot: Uint8Array): Promise<void> {
    await this.service.restore({ session_id: this.spec.session_id, env_index: envIndex, snapshot }, this.owner);
  }

  async render(envIndex: number): Promise<NDArray<'uint8'>> {
    return (await this.service.render({ session_id: this.spec.session_id, env_index: envIndex }, this.owner)).frame;
  }

  async close(): Promise<void> {
    this.service.closeAllOwnedBy(this.owner);
  }
}
