/**
 * Conformance checks of the answers PROTOCOL.md gives to questions a client written from it alone could not settle
 * before (issue 15): ids of rejected frames, INVALID_ACTION's env_index, validation of ignored autoreset actions,
 * render before reset, empty and repeated env indices, seed + i at 2^53, null kwargs, quoting of client text, the
 * decode budget, pongs without a ping.
 *
 * Every check has an id. A server that does not follow an answer yet lists the id in `pending`: the check then
 * runs as `it.fails`, so it turns red the moment the server starts to conform and the entry must go.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeFrame, isNDArray, ndarray, validateSpace } from '@vinegym/protocol';
import type { NDArray, Space } from '@vinegym/protocol';
import { RawClient, helloBody } from './raw-client.js';

export interface SpecAnswersTarget {
  url: string;
  envId: string;
  maxEpisodeSteps: number;
  /** Ids of checks this server is known not to pass yet. */
  pending: readonly string[];
}

interface RejectedVector {
  name: string;
  description: string;
  hex: string;
  error: { id: number | null; code: string };
}

const VECTORS = JSON.parse(
  readFileSync(new URL('../../packages/protocol/vectors/vectors.json', import.meta.url), 'utf8'),
) as { rejected: RejectedVector[] };

/** Every check id, so that a `pending` entry naming no check is caught. */
export const SPEC_ANSWER_IDS = [
  ...VECTORS.rejected.map((v) => `rejected:${v.name}`),
  'invalid-action-env-index',
  'autoreset-ignored-action-validated',
  'render-before-reset',
  'reset-empty-env-indices',
  'snapshot-index-count',
  'seed-plus-index-bound',
  'null-kwargs-are-defaults',
  'client-text-quoted-short',
  'decode-budget',
  'pong-without-ping',
] as const;

async function withClient<T>(url: string, run: (client: RawClient) => Promise<T>): Promise<T> {
  const client = await RawClient.greeted(url);
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

async function session(
  client: RawClient,
  envId: string,
  body: object = {},
): Promise<{ id: string; make: Record<string, any>; actSpace: Space }> {
  const make = await client.ok('make', { env_id: envId, ...body });
  return { id: make.session_id, make, actSpace: validateSpace(make.single_action_space) };
}

/**
 * A batch of `n` in-space actions (each the space's lowest value, or 0 for an unbounded Box), with env `bad`'s value
 * outside the space unless `bad` is null; null for spaces these checks do not cover.
 */
function actions(space: Space, n: number, bad: number | null): NDArray | null {
  if (space.type === 'discrete') {
    const values = Array.from({ length: n }, (_, i) => BigInt(i === bad ? space.start + space.n : space.start));
    return ndarray('int64', [n], values);
  }
  if (space.type === 'box' && (space.dtype === 'float32' || space.dtype === 'float64')) {
    const perEnv = space.shape.reduce((a, b) => a * b, 1);
    const batch = ndarray(space.dtype, [n, ...space.shape]);
    const low = space.low.data as Float32Array;
    const high = space.high.data as Float32Array;
    for (let i = 0; i < n * perEnv; i++) {
      const j = i % perEnv;
      (batch.data as Float32Array)[i] = Number.isFinite(low[j]) ? low[j] : Number.isFinite(high[j]) ? high[j] : 0;
    }
    if (bad !== null) (batch.data as Float32Array)[bad * perEnv] = Number.NaN; // NaN is never in a Box
    return batch;
  }
  return null;
}

export function describeSpecAnswers(target: () => SpecAnswersTarget): void {
  // Registered per check when the tests are collected; `target()` is read when they run.
  const check = (
    id: (typeof SPEC_ANSWER_IDS)[number],
    title: string,
    body: () => Promise<void>,
    pendingFor: () => readonly string[],
  ) => {
    it(`${title} [${id}]`, async () => {
      const pending = pendingFor().includes(id);
      let failure: unknown;
      try {
        await body();
      } catch (error) {
        failure = error;
      }
      if (pending) {
        expect(failure, `${id} is listed as pending but passes: remove it from the pending list`).toBeDefined();
      } else if (failure !== undefined) {
        throw failure;
      }
    });
  };
  const url = () => target().url;
  const envId = () => target().envId;
  const pending = () => target().pending;

  describe('answers of PROTOCOL.md to questions issue 15 raised', () => {
    it('lists only known check ids as pending', () => {
      for (const id of pending()) expect(SPEC_ANSWER_IDS as readonly string[]).toContain(id);
    });

    for (const vector of VECTORS.rejected) {
      check(
        `rejected:${vector.name}` as (typeof SPEC_ANSWER_IDS)[number],
        `answers ${vector.error.code} with id ${String(vector.error.id)}: ${vector.description}`,
        async () => {
          await withClient(url(), async (client) => {
            client.sendRaw(Buffer.from(vector.hex, 'hex'));
            const response = await client.next();
            expect(response).toMatchObject({ id: vector.error.id, ok: false, error: { code: vector.error.code } });
            await client.ok('list', {}); // still usable
          });
        },
        pending,
      );
    }

    check(
      'invalid-action-env-index',
      'INVALID_ACTION names the env when the batch is well-formed and one value is out of the space',
      async () => {
        await withClient(url(), async (client) => {
          const s = await session(client, envId(), { num_envs: 3, seed: 0 });
          await client.ok('reset', { session_id: s.id });
          const bad = actions(s.actSpace, 3, 2);
          if (bad === null) return;
          const error = await client.fails('step', { session_id: s.id, actions: bad }, 'INVALID_ACTION');
          expect(error.details?.env_index).toBe(2);
          const malformed = await client.fails(
            'step',
            { session_id: s.id, actions: ndarray('uint8', [1], [0]) },
            'INVALID_ACTION',
          );
          expect(malformed.details?.env_index).toBeUndefined();
        });
      },
      pending,
    );

    check(
      'autoreset-ignored-action-validated',
      'the action of an env being autoreset (next_step) must still be in the action space',
      async () => {
        await withClient(url(), async (client) => {
          const s = await session(client, envId(), { num_envs: 1, seed: 5, autoreset_mode: 'next_step' });
          await client.ok('reset', { session_id: s.id });
          const inSpace = actions(s.actSpace, 1, null);
          if (inSpace === null) return;
          let ended = false;
          for (let t = 0; t < target().maxEpisodeSteps && !ended; t++) {
            const result = await client.ok('step', { session_id: s.id, actions: inSpace });
            ended = (result.terminated.data as Uint8Array)[0] === 1 || (result.truncated.data as Uint8Array)[0] === 1;
          }
          expect(ended).toBe(true);
          const bad = actions(s.actSpace, 1, 0)!;
          await client.fails('step', { session_id: s.id, actions: bad }, 'INVALID_ACTION');
          const next = await client.ok('step', { session_id: s.id, actions: inSpace });
          expect((next.autoreset.data as Uint8Array)[0]).toBe(1); // the refused step changed nothing
        });
      },
      pending,
    );

    check(
      'render-before-reset',
      'render before the first reset is BAD_REQUEST naming the env',
      async () => {
        await withClient(url(), async (client) => {
          const s = await session(client, envId(), { num_envs: 2, seed: 0 });
          if (!s.make.render_supported) return;
          const error = await client.fails('render', { session_id: s.id, env_index: 1 }, 'BAD_REQUEST');
          expect(error.details?.env_index).toBe(1);
          await client.ok('reset', { session_id: s.id, env_indices: [1] });
          await client.ok('render', { session_id: s.id, env_index: 1 });
          await client.fails('render', { session_id: s.id, env_index: 0 }, 'BAD_REQUEST');
        });
      },
      pending,
    );

    check(
      'reset-empty-env-indices',
      'reset with an empty env_indices resets nothing and returns empty results',
      async () => {
        await withClient(url(), async (client) => {
          const s = await session(client, envId(), { num_envs: 2, seed: 0 });
          const result = await client.ok('reset', { session_id: s.id, env_indices: [] });
          expect(result.env_indices).toEqual([]);
          expect(result.infos).toEqual([]);
          const leaves = isNDArray(result.observations)
            ? [result.observations]
            : Object.values(result.observations as object);
          for (const leaf of leaves as NDArray[]) if (isNDArray(leaf)) expect(leaf.shape[0]).toBe(0);
        });
      },
      pending,
    );

    check(
      'snapshot-index-count',
      'snapshot takes at most num_envs indices (repeats allowed): a longer list is BAD_REQUEST',
      async () => {
        await withClient(url(), async (client) => {
          const s = await session(client, envId(), { num_envs: 2, seed: 0 });
          if (!s.make.snapshot_supported) return;
          await client.ok('reset', { session_id: s.id });
          expect((await client.ok('snapshot', { session_id: s.id, env_indices: [1, 0] })).snapshots).toHaveLength(2);
          expect((await client.ok('snapshot', { session_id: s.id, env_indices: [0, 0] })).snapshots).toHaveLength(2);
          expect((await client.ok('snapshot', { session_id: s.id, env_indices: [] })).snapshots).toEqual([]);
          await client.fails('snapshot', { session_id: s.id, env_indices: [0, 1, 0] }, 'BAD_REQUEST');
        });
      },
      pending,
    );

    check(
      'seed-plus-index-bound',
      'seed + i must stay below 2^53 for every env the seed applies to',
      async () => {
        await withClient(url(), async (client) => {
          const top = 2 ** 53 - 1;
          await client.fails('make', { env_id: envId(), num_envs: 4, seed: top - 2 }, 'BAD_REQUEST');
          const s = await session(client, envId(), { num_envs: 4, seed: top - 3 });
          await client.ok('reset', { session_id: s.id });
          await client.fails('reset', { session_id: s.id, seed: top - 1 }, 'BAD_REQUEST');
          await client.ok('reset', { session_id: s.id, seed: top - 1, env_indices: [0, 1] });
        });
      },
      pending,
    );

    check(
      'null-kwargs-are-defaults',
      'a null kwarg takes its default, and spelled-out defaults are the same kwargs for restore',
      async () => {
        await withClient(url(), async (client) => {
          const listed = (await client.ok('list', {})).envs.find((e: { id: string }) => e.id === envId());
          const kwargs = Object.entries(listed.kwargs as Record<string, { default: unknown }>);
          const nulls = Object.fromEntries(kwargs.map(([name]) => [name, null]));
          const defaults = Object.fromEntries(
            kwargs.filter(([, spec]) => spec.default !== null).map(([name, spec]) => [name, spec.default]),
          );
          const plain = await session(client, envId(), { seed: 0 });
          await session(client, envId(), { seed: 0, kwargs: nulls });
          const spelled = await session(client, envId(), { seed: 0, kwargs: defaults });
          if (!plain.make.snapshot_supported) return;
          await client.ok('reset', { session_id: plain.id });
          const [snapshot] = (await client.ok('snapshot', { session_id: plain.id, env_indices: [0] })).snapshots;
          await client.ok('restore', { session_id: spelled.id, env_index: 0, snapshot });
        });
      },
      pending,
    );

    check(
      'client-text-quoted-short',
      'errors quote at most 64 characters of client text',
      async () => {
        await withClient(url(), async (client) => {
          const long = 'q'.repeat(10_000);
          const errors = [
            await client.fails('list', { [long]: 1 }, 'BAD_REQUEST'),
            await client.fails('make', { env_id: long }, 'UNKNOWN_ENV'),
            await client.fails('make', { env_id: envId(), kwargs: { [long]: 1 } }, 'INVALID_KWARGS'),
            await client.fails('close', { session_id: long }, 'UNKNOWN_SESSION'),
          ];
          for (const error of errors) {
            expect(error.message).not.toContain('q'.repeat(65));
            expect(JSON.stringify(error.details ?? {})).not.toContain('q'.repeat(65));
          }
        });
      },
      pending,
    );

    check(
      'decode-budget',
      'a frame over max_frame_values (when reported) is LIMIT_EXCEEDED with id null, and the connection stays usable',
      async () => {
        const client = await RawClient.connect(url());
        try {
          const hello = await client.ok('hello', helloBody());
          const max = hello.limits.max_frame_values as number | undefined;
          if (max === undefined || max + 16 > hello.limits.max_message_bytes) return;
          client.sendRaw(encodeFrame({ id: 5, type: 'list', body: { pad: new Array(max + 1).fill(null) } }));
          expect(await client.next()).toMatchObject({
            id: null,
            ok: false,
            error: { code: 'LIMIT_EXCEEDED', details: { limit: 'max_frame_values', max } },
          });
          await client.ok('list', {});
        } finally {
          await client.close();
        }
      },
      pending,
    );

    check(
      'pong-without-ping',
      'a pong that answers no ping gets no response',
      async () => {
        await withClient(url(), async (client) => {
          client.sendRaw(encodeFrame({ type: 'pong', nonce: 12345 }));
          const id = client.send('list', {});
          expect((await client.next()).id).toBe(id);
        });
      },
      pending,
    );
  });
}
