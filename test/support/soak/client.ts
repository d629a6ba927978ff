/**
 * One soak client: connects, makes random CartPole sessions and drives them with random steps, resets, snapshots
 * and restores, checking every answer byte for byte against an in-process replica (EmbeddedVectorEnv with the same
 * seed, actions and operations); then closes cleanly or drops the socket abruptly, possibly with requests in
 * flight, and starts over until the deadline.
 */
import { Connection, EmbeddedVectorEnv, RemoteVectorEnv } from '@vinegym/agent';
import type { VectorEnv } from '@vinegym/agent';
import { encodeFrame, ndarray } from '@vinegym/protocol';

export interface ClientStats {
  connections: number;
  abrupt: number;
  operations: number;
  envSteps: number;
  /** Answers that differed from the replica's. */
  mismatches: number;
  /** Unexpected failures (not caused by our own abrupt disconnects). */
  errors: string[];
}

const same = (a: unknown, b: unknown) =>
  Buffer.compare(Buffer.from(encodeFrame({ v: a })), Buffer.from(encodeFrame({ v: b }))) === 0;

interface Pair {
  remote: VectorEnv;
  replica: VectorEnv;
  n: number;
  snapshots: { index: number; remote: Uint8Array; replica: Uint8Array }[];
  stepped: boolean;
}

export async function soakClient(url: string, deadline: number, random: () => number): Promise<ClientStats> {
  const stats: ClientStats = { connections: 0, abrupt: 0, operations: 0, envSteps: 0, mismatches: 0, errors: [] };
  const int = (n: number) => Math.floor(random() * n);
  while (Date.now() < deadline) {
    let connection: Connection;
    try {
      connection = await Connection.open(url);
    } catch (err) {
      stats.errors.push(`connect: ${(err as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    stats.connections++;
    const pairs: Pair[] = [];
    try {
      for (let s = 1 + int(3); s > 0; s--) {
        const options = {
          envId: 'CartPole-v1',
          numEnvs: 1 + int(8),
          seed: int(1e6),
          autoresetMode: (['next_step', 'same_step'] as const)[int(2)],
        };
        const remote = await RemoteVectorEnv.make(connection, options);
        const replica = await EmbeddedVectorEnv.make(options);
        pairs.push({ remote, replica, n: options.numEnvs, snapshots: [], stepped: false });
        const [a, b] = await Promise.all([remote.reset(), replica.reset()]);
        if (!same(a, b)) stats.mismatches++;
      }
      for (let ops = 10 + int(150); ops > 0 && Date.now() < deadline; ops--) {
        const pair = pairs[int(pairs.length)];
        const roll = random();
        stats.operations++;
        if (roll < 0.75) {
          const actions = ndarray(
            'int64',
            [pair.n],
            Array.from({ length: pair.n }, () => int(2)),
          );
          const [a, b] = await Promise.all([pair.remote.step(actions), pair.replica.step(actions)]);
          if (!same(a, b)) stats.mismatches++;
          stats.envSteps += pair.n;
        } else if (roll < 0.83) {
          const seed = random() < 0.5 ? int(1e6) : null;
          const [a, b] = await Promise.all([pair.remote.reset({ seed }), pair.replica.reset({ seed })]);
          if (!same(a, b)) stats.mismatches++;
        } else if (roll < 0.93) {
          const index = int(pair.n);
          const [[a], [b]] = await Promise.all([pair.remote.snapshot([index]), pair.replica.snapshot([index])]);
          if (!same(a, b)) stats.mismatches++;
          pair.snapshots = [{ index, remote: a, replica: b }, ...pair.snapshots].slice(0, 4);
        } else if (pair.snapshots.length) {
          const snap = pair.snapshots[int(pair.snapshots.length)];
          const into = int(pair.n);
          await Promise.all([pair.remote.restore(into, snap.remote), pair.replica.restore(into, snap.replica)]);
        }
      }
      if (random() < 0.3) {
        // Abrupt: a few requests in flight, then the socket is cut without a closing handshake.
        stats.abrupt++;
        const pair = pairs[0];
        for (let k = 0; k < 3; k++)
          void pair.remote.step(ndarray('int64', [pair.n], new Array(pair.n).fill(0))).catch(() => undefined);
        connection.terminate();
      } else {
        for (const pair of pairs) await pair.remote.close();
        await connection.close();
      }
    } catch (err) {
      stats.errors.push(`${(err as Error).name}: ${(err as Error).message}`);
      connection.terminate();
    } finally {
      for (const pair of pairs) await pair.replica.close();
    }
  }
  return stats;
}
