/** A VectorEnv whose envs live on a vinegym server (ours or any other that speaks protocol v1). */
import type { VectorEnvOptions } from '../env/vector-env.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { SessionVectorEnv } from './session-vector-env.js';

export class RemoteVectorEnv extends SessionVectorEnv {
  /** The WebSocket connection the session lives on. */
  get connection(): Connection {
    return this.channel as Connection;
  }

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
  static async make(
    connection: Connection,
    options: VectorEnvOptions,
    ownsConnection = false,
  ): Promise<RemoteVectorEnv> {
    return new RemoteVectorEnv(connection, await SessionVectorEnv.makeSession(connection, options), ownsConnection);
  }
}
