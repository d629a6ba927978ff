/**
 * A VectorEnv served in-process by the same EnvService the WebSocket server uses: identical semantics and errors,
 * no sockets and no encoding. The default for `vinegym train` and for tests.
 *
 * The service comes from `@vinegym/env-server/embedded`, an optional peer dependency of the agent, imported only
 * here and only when an embedded env is made: training against remote servers never loads it.
 */
import type { EnvService, InProcessConnectionOptions } from '@vinegym/env-server/embedded';
import type { VectorEnvOptions } from '../env/vector-env.js';
import { SessionVectorEnv, type RequestChannel } from './session-vector-env.js';

export class EmbeddedVectorEnv extends SessionVectorEnv {
  /**
   * Makes a session on `service`; without one, on a private service with the built-in registry (pass a service to
   * serve plug-in envs or to share limits between envs). `reuseObservations`: each step's observation batch is
   * rewritten by the next step (Gymnasium's `copy=False`; see InProcessConnectionOptions).
   */
  static async make(
    options: VectorEnvOptions & InProcessConnectionOptions,
    service?: EnvService,
  ): Promise<EmbeddedVectorEnv> {
    const { InProcessConnection } = await importEmbeddedServer();
    const connection: RequestChannel = new InProcessConnection(service, {
      reuseObservations: options.reuseObservations ?? false,
    });
    try {
      return new EmbeddedVectorEnv(connection, await SessionVectorEnv.makeSession(connection, options), true);
    } catch (err) {
      await connection.close();
      throw err;
    }
  }
}

async function importEmbeddedServer(): Promise<typeof import('@vinegym/env-server/embedded')> {
  try {
    return await import('@vinegym/env-server/embedded');
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !String(err).includes('@vinegym/env-server'))
      throw err;
    throw new Error(
      'the embedded env server needs the package @vinegym/env-server (an optional peer dependency of @vinegym/agent): ' +
        'install it, or use envs on a running server (vinegym train --server ws://host:port/v1/ws)',
      { cause: err },
    );
  }
}
