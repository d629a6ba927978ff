/**
 * `@vinegym/env-server/embedded`: envs served in the caller's own process, with the same EnvService (and so the
 * same semantics, limits and errors) as the WebSocket server, but no sockets, HTTP or encoding. It loads neither
 * fastify nor ws, and MuJoCo only when a MuJoCo env is made. The agent's embedded mode is built on it.
 */
import type { Messages, RequestType } from '@vinegym/protocol';
import { VinegymError } from '@vinegym/protocol';
import { createDefaultRegistry } from './registry.js';
import { EnvService } from './service.js';

export { EnvService, DEFAULT_SERVICE_LIMITS, type EnvServiceOptions, type ServiceLimits } from './service.js';
export { EnvRegistry, BUILTIN_ENVS, createDefaultRegistry } from './registry.js';
export { loadPlugin } from './plugin.js';
export type { Env, EnvDefinition, EnvKwargs } from './env.js';

/** The requests an in-process client sends: all of protocol v1 but the handshake, which has no use without a socket. */
export type SessionRequestType = Exclude<RequestType, 'hello'>;

type Handlers = { [T in SessionRequestType]: (body: Messages[T][0]) => Messages[T][1] | Promise<Messages[T][1]> };

export interface InProcessConnectionOptions {
  /**
   * The caller reads or copies a step's observations before it steps that session again (Gymnasium's `copy=False`),
   * so sessions hand out one batch that each step rewrites (sessions on worker threads as well). Default false: every
   * step returns a fresh batch the caller may keep. For large observations
   * (raw Atari frames: 806 KB per step with 8 envs) the fresh batch costs more than anything else outside the envs:
   * V8 frees it only at a later collection, so each step writes memory the caches have not seen.
   */
  reuseObservations?: boolean;
}

/**
 * A client of an EnvService in the same process, with the request interface of a protocol connection: every
 * answer is a promise (whether the session steps in-process or on worker threads), errors are the service's
 * VinegymErrors. Its sessions are private to it, as a socket's are; `close()` closes them all.
 */
export class InProcessConnection {
  private readonly owner = {};
  private isClosed = false;
  private readonly handlers: Handlers;

  /** `service`: default a private service with the built-in registry (pass one for plug-ins or shared limits). */
  constructor(
    readonly service: EnvService = new EnvService({ registry: createDefaultRegistry() }),
    options: InProcessConnectionOptions = {},
  ) {
    const owner = this.owner;
    const transient = options.reuseObservations ?? false;
    this.handlers = {
      list: () => service.list(),
      make: (body) => service.make(body, owner),
      reset: (body) => service.reset(body, owner),
      step: (body) => service.step(body, owner, transient),
      snapshot: (body) => service.snapshot(body, owner),
      restore: (body) => service.restore(body, owner),
      render: (body) => service.render(body, owner),
      close: (body) => service.close(body, owner),
    };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  async request<T extends SessionRequestType>(type: T, body: Messages[T][0]): Promise<Messages[T][1]> {
    if (this.isClosed) throw new VinegymError('UNKNOWN_SESSION', 'this in-process connection is closed');
    const handler = this.handlers[type] as (body: Messages[T][0]) => Messages[T][1] | Promise<Messages[T][1]>;
    return handler(body);
  }

  /** Closes every session this connection made. */
  async close(): Promise<void> {
    this.isClosed = true;
    this.service.closeAllOwnedBy(this.owner);
  }
}
