/**
 * Protocol v1 conformance checks for any vinegym server (PROTOCOL.md): every message, every error code a client can
 * provoke, the three autoreset modes, limits and snapshot determinism. Raw `ws` + encodeFrame/decodeFrame only,
 * so it judges a server by the spec, not by a client library.
 *
 * `describeConformance(label, target)` registers vitest tests; `target()` is read when the tests run, so servers
 * may start in a beforeAll. Episodes must end within `maxEpisodeSteps` steps of random actions (a time limit does).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  batchSpace,
  checkBatch,
  checkValue,
  createBatch,
  encodeFrame,
  isNDArray,
  ndarray,
  readFromBatch,
  sampleSpace,
  spaceEquals,
  validateSpace,
  writeToBatch,
} from '@vinegym/protocol';
import type { NDArray, Space, SpaceRandom, SpaceValue } from '@vinegym/protocol';
import { NumpyGenerator } from '@vinegym/rng';
import { RawClient, helloBody } from './raw-client.js';
import { describeSpecAnswers } from './spec-answers.js';

export interface ConformanceTarget {
  /** ws://host:port/v1/ws */
  url: string;
  /** An env id the server lists. */
  envId: string;
  /** Steps of random actions within which every episode ends (default 600). */
  maxEpisodeSteps?: number;
  /** Checks of spec-answers.ts this server does not pass yet (they run as expected failures). */
  pending?: readonly string[];
}

/** A deterministic generator for sampled actions (NumPy's, so failures reproduce in Python too). */
export function seededRng(seed: number): SpaceRandom {
  return new NumpyGenerator(seed);
}

export function sampleActions(space: Space, n: number, rng: SpaceRandom): SpaceValue {
  const batch = createBatch(space, n);
  for (let i = 0; i < n; i++) writeToBatch(space, batch, i, sampleSpace(space, rng));
  return batch;
}

function digest(value: unknown): string {
  return createHash('sha256')
    .update(encodeFrame(value as object))
    .digest('hex');
}

function boolArray(x: unknown, n: number): boolean[] {
  expect(isNDArray(x)).toBe(true);
  const a = x as NDArray;
  expect(a.dtype).toBe('bool');
  expect(a.shape).toEqual([n]);
  return Array.from(a.data as Uint8Array, (v) => v !== 0);
}

interface Session {
  id: string;
  make: Record<string, any>;
  obsSpace: Space;
  actSpace: Space;
}

async function makeSession(client: RawClient, envId: string, body: Record<string, unknown> = {}): Promise<Session> {
  const make = await client.ok('make', { env_id: envId, ...body });
  return {
    id: make.session_id,
    make,
    obsSpace: validateSpace(make.single_observation_space),
    actSpace: validateSpace(make.single_action_space),
  };
}

async function withClient<T>(url: string, run: (client: RawClient) => Promise<T>): Promise<T> {
  const client = await RawClient.greeted(url);
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

/** Steps with random actions until some env's episode ends; returns that step's result. */
async function stepUntilAnEpisodeEnds(
  client: RawClient,
  session: Session,
  n: number,
  rng: SpaceRandom,
  maxSteps: number,
): Promise<Record<string, any>> {
  for (let t = 0; t < maxSteps; t++) {
    const result = await client.ok('step', {
      session_id: session.id,
      actions: sampleActions(session.actSpace, n, rng),
    });
    const ended = boolArray(result.terminated, n).map((v, i) => v || boolArray(result.truncated, n)[i]);
    if (ended.some((v) => v)) return result;
  }
  throw new Error(`no episode ended within ${maxSteps} steps`);
}

export function describeConformance(label: string, target: () => ConformanceTarget): void {
  describe(`protocol v1 conformance: ${label}`, () => {
    const url = () => target().url;
    const envId = () => target().envId;
    const maxSteps = () => target().maxEpisodeSteps ?? 600;

    describeSpecAnswers(() => ({
      url: url(),
      envId: envId(),
      maxEpisodeSteps: maxSteps(),
      pending: target().pending ?? [],
    }));

    describe('connection lifecycle', () => {
      it('answers hello with version, identity, capabilities, limits and ping interval', async () => {
        const client = await RawClient.connect(url());
        const hello = await client.ok('hello', helloBody());
        expect(Object.keys(hello).slice(0, 5)).toEqual([
          'protocol_version',
          'server',
          'capabilities',
          'limits',
          'ping_interval_s',
        ]);
        expect(hello.protocol_version).toBe(1);
        expect(typeof hello.server.name).toBe('string');
        expect(typeof hello.server.version).toBe('string');
        expect(Array.isArray(hello.capabilities)).toBe(true);
        for (const key of ['max_sessions', 'max_envs_per_session', 'max_message_bytes']) {
          expect(Number.isInteger(hello.limits[key]) && hello.limits[key] > 0).toBe(true);
        }
        expect(typeof hello.ping_interval_s).toBe('number');
        await client.fails('hello', helloBody(), 'BAD_REQUEST');
        await client.close();
      });

      it('requires hello first and negotiates versions', async () => {
        const client = await RawClient.connect(url());
        await client.fails('list', {}, 'BAD_REQUEST');
        const error = await client.fails('hello', { ...helloBody(), protocol_versions: [999] }, 'UNSUPPORTED_VERSION');
        expect(error.details?.supported).toContain(1);
        await client.ok('hello', { ...helloBody(), protocol_versions: [1, 999] });
        await client.ok('list', {});
        await client.close();
      });

      it('answers undecodable frames with id null and stays usable', async () => {
        await withClient(url(), async (client) => {
          const bad: Array<Uint8Array | string> = [
            new Uint8Array([0xc1]),
            new Uint8Array([0x82, 0xa2, 0x69, 0x64]), // truncated
            new Uint8Array([0x80, 0x00]), // trailing bytes
            new Uint8Array([0xd4, 0x01, 0x00]), // extension type
            encodeFrame([1, 2, 3]), // not a map
            encodeFrame({ type: 'list', body: {} }), // no id
            'a text frame',
          ];
          for (const data of bad) {
            client.sendRaw(data);
            const response = await client.next();
            expect(response.ok).toBe(false);
            expect(response.id).toBeNull();
            if (!response.ok) expect(response.error.code).toBe('BAD_REQUEST');
          }
          await client.ok('list', {});
        });
      });

      it('keeps the id of readable but malformed requests', async () => {
        await withClient(url(), async (client) => {
          client.sendRaw(encodeFrame({ id: 77, type: 'list', body: {}, extra: true }));
          const unknownKey = await client.next();
          expect(unknownKey).toMatchObject({ id: 77, ok: false, error: { code: 'BAD_REQUEST' } });
          client.sendRaw(encodeFrame({ id: 78, type: 'frobnicate', body: {} }));
          expect(await client.next()).toMatchObject({ id: 78, ok: false, error: { code: 'BAD_REQUEST' } });
          await client.fails('list', { extra: 1 }, 'BAD_REQUEST');
          await client.fails('make', {}, 'BAD_REQUEST');
          await client.fails('make', { env_id: envId(), num_envs: 0 }, 'BAD_REQUEST');
          await client.fails('make', { env_id: envId(), autoreset_mode: 'sometimes' }, 'BAD_REQUEST');
          await client.fails('make', { env_id: envId(), seed: -1 }, 'BAD_REQUEST');
          await client.fails('reset', { session_id: 5 }, 'BAD_REQUEST');
        });
      });

      it('answers pipelined requests in order', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { num_envs: 2, seed: 0 });
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(1);
          const ids = [
            client.send('step', { session_id: session.id, actions: sampleActions(session.actSpace, 2, rng) }),
            client.send('list', {}),
            client.send('close', { session_id: 'no-such-session' }),
            client.send('step', { session_id: session.id, actions: sampleActions(session.actSpace, 2, rng) }),
          ];
          const responses = [];
          for (let i = 0; i < ids.length; i++) responses.push(await client.next());
          expect(responses.map((r) => r.id)).toEqual(ids);
          expect(responses.map((r) => r.ok)).toEqual([true, true, false, true]);
        });
      });
    });

    describe('messages', () => {
      it('lists the env with kwargs specs and its time limit', async () => {
        await withClient(url(), async (client) => {
          const { envs } = await client.ok('list', {});
          const env = envs.find((e: any) => e.id === envId());
          expect(env).toBeDefined();
          expect(typeof env.description).toBe('string');
          expect(env.max_episode_steps === null || Number.isInteger(env.max_episode_steps)).toBe(true);
          for (const spec of Object.values(env.kwargs) as any[]) {
            expect(['number', 'integer', 'boolean', 'string']).toContain(spec.type);
            expect(typeof spec.description).toBe('string');
          }
        });
      });

      it('makes sessions with single and batched spaces', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { num_envs: 3, seed: 1, autoreset_mode: 'same_step' });
          const { make } = session;
          // render_modes is optional (servers with the render:scene capability send it, last).
          expect(Object.keys(make).filter((key) => key !== 'render_modes')).toEqual([
            'session_id',
            'env_id',
            'num_envs',
            'autoreset_mode',
            'single_observation_space',
            'single_action_space',
            'observation_space',
            'action_space',
            'max_episode_steps',
            'snapshot_supported',
            'render_supported',
            'strict_actions',
          ]);
          if ('render_modes' in make) {
            expect(Object.keys(make).at(-1)).toBe('render_modes');
            expect(make.render_modes.includes('rgb_array')).toBe(make.render_supported);
          }
          expect(make.env_id).toBe(envId());
          expect(make.strict_actions).toBe(false);
          expect(make.num_envs).toBe(3);
          expect(make.autoreset_mode).toBe('same_step');
          expect(spaceEquals(validateSpace(make.observation_space), batchSpace(session.obsSpace, 3))).toBe(true);
          expect(spaceEquals(validateSpace(make.action_space), batchSpace(session.actSpace, 3))).toBe(true);
          const defaults = await makeSession(client, envId());
          expect(defaults.make.num_envs).toBe(1);
          expect(defaults.make.autoreset_mode).toBe('next_step');
        });
      });

      it('resets all envs or some, with seed, seeds and options', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { num_envs: 3, seed: 5 });
          const all = await client.ok('reset', { session_id: session.id });
          expect(all.env_indices).toEqual([0, 1, 2]);
          expect(checkBatch(session.obsSpace, all.observations, 3)).toBeNull();
          expect(all.infos).toHaveLength(3);
          const some = await client.ok('reset', { session_id: session.id, seeds: [5, null], env_indices: [0, 2] });
          expect(some.env_indices).toEqual([0, 2]);
          expect(checkBatch(session.obsSpace, some.observations, 2)).toBeNull();
          expect(some.infos).toHaveLength(2);
          // make.seed 5 gave env 0 the seed 5, so reseeding it with 5 reproduces its first observation
          const row = (batch: SpaceValue, i: number) => digest({ o: readFromBatch(session.obsSpace, batch, i) });
          expect(row(some.observations, 0)).toEqual(row(all.observations, 0));
          const again = await client.ok('reset', { session_id: session.id, seed: 5, env_indices: [1] });
          const onlyOne = await client.ok('reset', { session_id: session.id, seed: 5, env_indices: [1] });
          expect(digest(again.observations)).toBe(digest(onlyOne.observations));
          await client.ok('reset', { session_id: session.id, options: {} });
        });
      });

      it('steps a batch: observations, float64 rewards, bool flags, infos', async () => {
        await withClient(url(), async (client) => {
          const n = 2;
          const session = await makeSession(client, envId(), { num_envs: n, seed: 3 });
          await client.ok('reset', { session_id: session.id });
          const result = await client.ok('step', {
            session_id: session.id,
            actions: sampleActions(session.actSpace, n, seededRng(2)),
          });
          expect(Object.keys(result)).toEqual([
            'observations',
            'rewards',
            'terminated',
            'truncated',
            'autoreset',
            'infos',
          ]);
          expect(checkBatch(session.obsSpace, result.observations, n)).toBeNull();
          expect(result.rewards.dtype).toBe('float64');
          expect(result.rewards.shape).toEqual([n]);
          boolArray(result.terminated, n);
          boolArray(result.truncated, n);
          expect(boolArray(result.autoreset, n)).toEqual([false, false]);
          expect(result.infos).toHaveLength(n);
        });
      });

      it('renders or says NOT_SUPPORTED', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { seed: 0 });
          await client.ok('reset', { session_id: session.id });
          if (session.make.render_supported) {
            const { frame } = await client.ok('render', { session_id: session.id, env_index: 0 });
            expect(frame.dtype).toBe('uint8');
            expect(frame.shape).toHaveLength(3);
            expect(frame.shape[2]).toBe(3);
            await client.fails('render', { session_id: session.id, env_index: 1 }, 'BAD_REQUEST');
          } else {
            await client.fails('render', { session_id: session.id, env_index: 0 }, 'NOT_SUPPORTED');
          }
        });
      });

      it('closes sessions; closed and foreign sessions are unknown', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId());
          await withClient(url(), async (other) => {
            await other.fails('reset', { session_id: session.id }, 'UNKNOWN_SESSION');
            await other.fails('close', { session_id: session.id }, 'UNKNOWN_SESSION');
          });
          expect(await client.ok('close', { session_id: session.id })).toEqual({});
          await client.fails('close', { session_id: session.id }, 'UNKNOWN_SESSION');
          await client.fails('reset', { session_id: session.id }, 'UNKNOWN_SESSION');
          await client.fails('step', { session_id: session.id, actions: [] }, 'UNKNOWN_SESSION');
        });
      });
    });

    describe('errors and limits', () => {
      it('rejects unknown envs, bad kwargs and oversized sessions', async () => {
        await withClient(url(), async (client) => {
          const hello = await RawClient.connect(url()).then(async (c) => {
            const body = await c.ok('hello', helloBody());
            await c.close();
            return body;
          });
          await client.fails('make', { env_id: 'NoSuchEnv-v0' }, 'UNKNOWN_ENV');
          await client.fails('make', { env_id: envId(), kwargs: { __no_such_kwarg__: 1 } }, 'INVALID_KWARGS');
          await client.fails(
            'make',
            { env_id: envId(), num_envs: hello.limits.max_envs_per_session + 1 },
            'LIMIT_EXCEEDED',
          );
        });
      });

      it('limits sessions per connection', async () => {
        await withClient(url(), async (client) => {
          const hello = await RawClient.connect(url()).then(async (c) => {
            const body = await c.ok('hello', helloBody());
            await c.close();
            return body;
          });
          const max = hello.limits.max_sessions;
          if (max > 64) return; // too many to open in a test
          for (let i = 0; i < max; i++) await client.ok('make', { env_id: envId() });
          await client.fails('make', { env_id: envId() }, 'LIMIT_EXCEEDED');
        });
      });

      it('rejects bad reset, step and index arguments with BAD_REQUEST', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { num_envs: 2, seed: 0 });
          const actions = () => sampleActions(session.actSpace, 2, seededRng(3));
          await client.fails('step', { session_id: session.id, actions: actions() }, 'BAD_REQUEST'); // never reset
          await client.ok('reset', { session_id: session.id, env_indices: [0] });
          const notReset = await client.fails('step', { session_id: session.id, actions: actions() }, 'BAD_REQUEST');
          expect(notReset.details?.env_index).toBe(1);
          await client.fails('reset', { session_id: session.id, seed: 1, seeds: [1, 2] }, 'BAD_REQUEST');
          await client.fails('reset', { session_id: session.id, seeds: [1] }, 'BAD_REQUEST');
          await client.fails('reset', { session_id: session.id, env_indices: [2] }, 'BAD_REQUEST');
          await client.fails('reset', { session_id: session.id, env_indices: [1, 0] }, 'BAD_REQUEST');
          await client.fails('reset', { session_id: session.id, env_indices: [0, 0] }, 'BAD_REQUEST');
          await client.fails(
            'render',
            { session_id: session.id, env_index: 2 },
            session.make.render_supported ? 'BAD_REQUEST' : 'NOT_SUPPORTED',
          );
          await client.fails('step', { session_id: session.id, actions: actions(), extra: 1 }, 'BAD_REQUEST');
        });
      });

      it('rejects actions outside the action space with INVALID_ACTION and moves no env', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { num_envs: 2, seed: 0 });
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(4);
          const wrongCount = sampleActions(session.actSpace, 3, rng);
          await client.fails('step', { session_id: session.id, actions: wrongCount }, 'INVALID_ACTION');
          await client.fails('step', { session_id: session.id, actions: 'left' }, 'INVALID_ACTION');
          const space = session.actSpace;
          if (space.type === 'discrete') {
            const bad = ndarray('int64', [2], [BigInt(space.start), BigInt(space.start + space.n)]);
            const error = await client.fails('step', { session_id: session.id, actions: bad }, 'INVALID_ACTION');
            if (error.details?.env_index !== undefined) expect(error.details.env_index).toBe(1); // "when known"
          }
          if (space.type === 'box' && (space.dtype === 'float32' || space.dtype === 'float64')) {
            const batch = sampleActions(space, 2, rng) as NDArray;
            (batch.data as Float32Array)[batch.data.length - 1] = Number.NaN;
            const error = await client.fails('step', { session_id: session.id, actions: batch }, 'INVALID_ACTION');
            if (error.details?.env_index !== undefined) expect(error.details.env_index).toBe(1);
            const other = space.dtype === 'float32' ? 'float64' : 'float32';
            const wrongDtype = ndarray(other, [2, ...space.shape]);
            await client.fails('step', { session_id: session.id, actions: wrongDtype }, 'INVALID_ACTION');
          }
          if (
            space.type === 'box' &&
            (space.dtype === 'float32' || space.dtype === 'float64') &&
            Number.isFinite(Number(space.high.data[0]))
          ) {
            // Outside [low, high]: INVALID_ACTION only in a strict_actions session (8.6); others pass it on.
            const outside = sampleActions(space, 2, rng) as NDArray;
            (outside.data as Float32Array)[0] = Number(space.high.data[0]) + 1;
            const strict = await makeSession(client, envId(), { num_envs: 2, seed: 0, strict_actions: true });
            expect(strict.make.strict_actions).toBe(true);
            await client.ok('reset', { session_id: strict.id });
            const strictError = await client.fails(
              'step',
              { session_id: strict.id, actions: outside },
              'INVALID_ACTION',
            );
            if (strictError.details?.env_index !== undefined) expect(strictError.details.env_index).toBe(0);
            const lenient = await makeSession(client, envId(), { num_envs: 2, seed: 0 });
            await client.ok('reset', { session_id: lenient.id });
            await client.ok('step', { session_id: lenient.id, actions: outside });
          }
          // No env moved: the same actions now give the same result in a twin session.
          const twin = await makeSession(client, envId(), { num_envs: 2, seed: 0 });
          await client.ok('reset', { session_id: twin.id });
          const actions = sampleActions(space, 2, seededRng(9));
          const a = await client.ok('step', { session_id: session.id, actions });
          const b = await client.ok('step', { session_id: twin.id, actions });
          expect(digest(a.observations)).toBe(digest(b.observations));
        });
      });

      it('closes the connection with 1009 for messages above max_message_bytes', async () => {
        const client = await RawClient.connect(url());
        const hello = await client.ok('hello', helloBody());
        const limit = hello.limits.max_message_bytes;
        if (limit > 8 * 1024 * 1024) {
          await client.close();
          return; // too large to send in a test
        }
        client.sendRaw(encodeFrame({ id: 1, type: 'list', body: { pad: new Uint8Array(limit + 1) } }));
        expect(await client.closed).toBe(1009);
      });

      it('uses only the error codes of the protocol registry, which are those PROTOCOL.md section 10 lists', () => {
        // Every error answer any RawClient received so far in this file (all the checks above ran first).
        expect(RawClient.errorCodesSeen.size).toBeGreaterThan(0);
        for (const code of RawClient.errorCodesSeen) expect(ERROR_CODES).toContain(code);
        const spec = readFileSync(new URL('../../packages/protocol/PROTOCOL.md', import.meta.url), 'utf8');
        const section = spec.slice(spec.indexOf('## 10. Errors'), spec.indexOf('## 11.'));
        expect([...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1])).toEqual([...ERROR_CODES]);
      });
    });

    describe('autoreset', () => {
      it('next_step: the step after an episode end resets that env', async () => {
        await withClient(url(), async (client) => {
          const n = 2;
          const session = await makeSession(client, envId(), { num_envs: n, seed: 10, autoreset_mode: 'next_step' });
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(10);
          const ending = await stepUntilAnEpisodeEnds(client, session, n, rng, maxSteps());
          expect('final_observations' in ending).toBe(false);
          const ended = boolArray(ending.terminated, n).map((v, i) => v || boolArray(ending.truncated, n)[i]);
          const next = await client.ok('step', {
            session_id: session.id,
            actions: sampleActions(session.actSpace, n, rng),
          });
          expect(boolArray(next.autoreset, n)).toEqual(ended);
          const rewards = next.rewards.data as Float64Array;
          for (let i = 0; i < n; i++) {
            if (!ended[i]) continue;
            expect(rewards[i]).toBe(0);
            expect(boolArray(next.terminated, n)[i]).toBe(false);
            expect(boolArray(next.truncated, n)[i]).toBe(false);
          }
          const after = await client.ok('step', {
            session_id: session.id,
            actions: sampleActions(session.actSpace, n, rng),
          });
          const nextEnded = boolArray(next.terminated, n).map((v, i) => v || boolArray(next.truncated, n)[i]);
          expect(boolArray(after.autoreset, n)).toEqual(nextEnded);
        });
      });

      it('next_step: reset cancels a pending autoreset', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { num_envs: 1, seed: 11 });
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(11);
          await stepUntilAnEpisodeEnds(client, session, 1, rng, maxSteps());
          await client.ok('reset', { session_id: session.id });
          const next = await client.ok('step', {
            session_id: session.id,
            actions: sampleActions(session.actSpace, 1, rng),
          });
          expect(boolArray(next.autoreset, 1)).toEqual([false]);
        });
      });

      it('same_step: ending envs are reset at once and report final observations and infos', async () => {
        await withClient(url(), async (client) => {
          const n = 2;
          const session = await makeSession(client, envId(), { num_envs: n, seed: 12, autoreset_mode: 'same_step' });
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(12);
          const first = await client.ok('step', {
            session_id: session.id,
            actions: sampleActions(session.actSpace, n, rng),
          });
          expect(Object.keys(first)).toEqual([
            'observations',
            'rewards',
            'terminated',
            'truncated',
            'autoreset',
            'infos',
            'final_observations',
            'final_infos',
          ]);
          const ending = await stepUntilAnEpisodeEnds(client, session, n, rng, maxSteps());
          expect(boolArray(ending.autoreset, n)).toEqual([false, false]);
          expect(ending.final_observations).toHaveLength(n);
          expect(ending.final_infos).toHaveLength(n);
          const ended = boolArray(ending.terminated, n).map((v, i) => v || boolArray(ending.truncated, n)[i]);
          for (let i = 0; i < n; i++) {
            if (ended[i]) {
              expect(checkValue(session.obsSpace, ending.final_observations[i])).toBeNull();
              expect(typeof ending.final_infos[i]).toBe('object');
              expect(ending.final_infos[i]).not.toBeNull();
            } else {
              expect(ending.final_observations[i]).toBeNull();
              expect(ending.final_infos[i]).toBeNull();
            }
          }
          // The ended env was reset within that step, so the next step steps it normally.
          const next = await client.ok('step', {
            session_id: session.id,
            actions: sampleActions(session.actSpace, n, rng),
          });
          expect(boolArray(next.autoreset, n)).toEqual([false, false]);
        });
      });

      it('disabled: stepping an ended env fails until it is reset', async () => {
        await withClient(url(), async (client) => {
          const n = 2;
          const session = await makeSession(client, envId(), { num_envs: n, seed: 13, autoreset_mode: 'disabled' });
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(13);
          const ending = await stepUntilAnEpisodeEnds(client, session, n, rng, maxSteps());
          expect(boolArray(ending.autoreset, n)).toEqual([false, false]);
          expect('final_observations' in ending).toBe(false);
          const ended = boolArray(ending.terminated, n).map((v, i) => v || boolArray(ending.truncated, n)[i]);
          const error = await client.fails(
            'step',
            { session_id: session.id, actions: sampleActions(session.actSpace, n, rng) },
            'BAD_REQUEST',
          );
          expect(error.details?.env_index).toBe(ended.indexOf(true));
          const indices = ended.flatMap((v, i) => (v ? [i] : []));
          const reset = await client.ok('reset', { session_id: session.id, env_indices: indices });
          expect(reset.env_indices).toEqual(indices);
          await client.ok('step', { session_id: session.id, actions: sampleActions(session.actSpace, n, rng) });
        });
      });

      it('a time limit truncates at max_episode_steps', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { num_envs: 1, seed: 14, autoreset_mode: 'disabled' });
          const limit = session.make.max_episode_steps;
          if (limit === null || limit > maxSteps()) return;
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(14);
          for (let t = 1; t <= limit; t++) {
            const r = await client.ok('step', {
              session_id: session.id,
              actions: sampleActions(session.actSpace, 1, rng),
            });
            const terminated = boolArray(r.terminated, 1)[0];
            const truncated = boolArray(r.truncated, 1)[0];
            if (terminated) return; // ended before the limit
            expect(truncated).toBe(t === limit);
          }
        });
      });
    });

    describe('wrapper kwargs (TimeLimit, FrameStackObservation, RecordEpisodeStatistics, ClipAction)', () => {
      const WRAPPER_KWARGS = [
        'max_episode_steps',
        'frame_stack',
        'rescale_action_min',
        'rescale_action_max',
        'clip_action',
        'record_episode_statistics',
      ];

      it('every env lists them', async () => {
        await withClient(url(), async (client) => {
          const { envs } = await client.ok('list', {});
          for (const env of envs)
            expect(Object.keys(env.kwargs), env.id).toEqual(expect.arrayContaining(WRAPPER_KWARGS));
        });
      });

      it('max_episode_steps sets the time limit of the session', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), {
            seed: 2,
            autoreset_mode: 'disabled',
            kwargs: { max_episode_steps: 3 },
          });
          expect(session.make.max_episode_steps).toBe(3);
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(2);
          for (let t = 1; t <= 3; t++) {
            const r = await client.ok('step', {
              session_id: session.id,
              actions: sampleActions(session.actSpace, 1, rng),
            });
            if (boolArray(r.terminated, 1)[0]) return;
            expect(boolArray(r.truncated, 1)[0]).toBe(t === 3);
          }
        });
      });

      it('frame_stack stacks the last k observations, the reset observation in every slot', async () => {
        await withClient(url(), async (client) => {
          const plain = await makeSession(client, envId());
          const session = await makeSession(client, envId(), { seed: 4, kwargs: { frame_stack: 2 } });
          const single = plain.obsSpace as Extract<Space, { type: 'box' }>;
          const shape = single.shape;
          // ALE images stay channels-last: [h, w] -> [h, w, k], [h, w, c] -> [h, w, k·c]; other envs get [k, ...shape].
          const image = envId().startsWith('ALE/');
          const expected = image ? [shape[0], shape[1], 2 * (shape[2] ?? 1)] : [2, ...shape];
          expect((session.obsSpace as { shape: number[] }).shape).toEqual(expected);
          const reset = (await client.ok('reset', { session_id: session.id })).observations as NDArray;
          expect(reset.shape).toEqual([1, ...expected]);
          const values = Array.from(reset.data as ArrayLike<number>);
          const half = values.length / 2;
          const slots = image
            ? [
                values.filter((_, i) => Math.floor(i / (expected[2] / 2)) % 2 === 0),
                values.filter((_, i) => Math.floor(i / (expected[2] / 2)) % 2 === 1),
              ]
            : [values.slice(0, half), values.slice(half)];
          expect(slots[0]).toEqual(slots[1]);
        });
      });

      it('record_episode_statistics adds info.episode {r, l, t} at the step that ends an episode', async () => {
        await withClient(url(), async (client) => {
          const kwargs = { record_episode_statistics: true, max_episode_steps: 6 };
          const session = await makeSession(client, envId(), { seed: 6, kwargs });
          await client.ok('reset', { session_id: session.id });
          const rng = seededRng(6);
          let sum = 0;
          for (let t = 1; t <= 6; t++) {
            const r = await client.ok('step', {
              session_id: session.id,
              actions: sampleActions(session.actSpace, 1, rng),
            });
            sum += (r.rewards as NDArray).data[0] as number;
            const ended = boolArray(r.terminated, 1)[0] || boolArray(r.truncated, 1)[0];
            const episode = r.infos[0].episode;
            if (!ended) {
              expect(episode).toBeUndefined();
              continue;
            }
            expect(episode.l).toBe(t);
            expect(episode.r).toBeCloseTo(sum, 9);
            expect(episode.t).toBeGreaterThanOrEqual(0);
            return;
          }
          throw new Error('the episode did not end at max_episode_steps');
        });
      });

      it('clip_action unbounds a float Box action space and clips; elsewhere it is INVALID_KWARGS', async () => {
        await withClient(url(), async (client) => {
          const plain = await makeSession(client, envId());
          if (plain.actSpace.type !== 'box') {
            const error = await client.fails(
              'make',
              { env_id: envId(), kwargs: { clip_action: true } },
              'INVALID_KWARGS',
            );
            expect(error.details?.key).toBe('clip_action');
            return;
          }
          const session = await makeSession(client, envId(), { seed: 8, kwargs: { clip_action: true } });
          const space = session.actSpace as Extract<Space, { type: 'box' }>;
          expect(Array.from(space.low.data as ArrayLike<number>).every((v) => v === -Infinity)).toBe(true);
          await client.ok('reset', { session_id: session.id });
          const size = space.shape.reduce((a, b) => a * b, 1);
          const huge = ndarray(
            space.dtype as 'float32',
            [1, ...space.shape],
            Array.from({ length: size }, (_, i) => (i % 2 ? 1e6 : -1e6)),
          );
          await client.ok('step', { session_id: session.id, actions: huge });
        });
      });
    });

    describe('snapshot and restore', () => {
      it('snapshot -> k steps -> restore -> the same k steps', async () => {
        await withClient(url(), async (client) => {
          const n = 2;
          const session = await makeSession(client, envId(), { num_envs: n, seed: 20 });
          await client.ok('reset', { session_id: session.id });
          if (!session.make.snapshot_supported) {
            await client.fails('snapshot', { session_id: session.id, env_indices: [0] }, 'NOT_SUPPORTED');
            return;
          }
          const rng = seededRng(20);
          for (let t = 0; t < 5; t++) {
            await client.ok('step', { session_id: session.id, actions: sampleActions(session.actSpace, n, rng) });
          }
          const { snapshots } = await client.ok('snapshot', { session_id: session.id, env_indices: [1, 0] });
          expect(snapshots).toHaveLength(2);
          for (const s of snapshots) expect(s).toBeInstanceOf(Uint8Array);
          const actions = Array.from({ length: 25 }, () => sampleActions(session.actSpace, n, rng));
          // Digests of the encoded results: deep-comparing large image observations element-wise is slow.
          const run = async (): Promise<string[]> => {
            const out: string[] = [];
            for (const a of actions) {
              const result = await client.ok('step', { session_id: session.id, actions: a });
              out.push(createHash('sha256').update(encodeFrame(result)).digest('hex'));
            }
            return out;
          };
          const first = await run();
          expect(await client.ok('restore', { session_id: session.id, env_index: 1, snapshot: snapshots[0] })).toEqual(
            {},
          );
          await client.ok('restore', { session_id: session.id, env_index: 0, snapshot: snapshots[1] });
          expect(await run()).toEqual(first);
        });
      });

      it('restores into another index of another session; rejects foreign or corrupt bytes', async () => {
        await withClient(url(), async (client) => {
          const session = await makeSession(client, envId(), { num_envs: 2, seed: 21 });
          if (!session.make.snapshot_supported) return;
          await client.ok('reset', { session_id: session.id });
          const { snapshots } = await client.ok('snapshot', { session_id: session.id, env_indices: [1] });
          const rng = seededRng(21);
          const actions = Array.from({ length: 10 }, () => sampleActions(session.actSpace, 2, rng));
          const expected: string[] = [];
          for (const a of actions) {
            const r = await client.ok('step', { session_id: session.id, actions: a });
            expected.push(
              digest({ o: readFromBatch(session.obsSpace, r.observations, 1), r: (r.rewards.data as Float64Array)[1] }),
            );
          }
          const other = await makeSession(client, envId(), { num_envs: 3, seed: 999 });
          await client.ok('reset', { session_id: other.id });
          await client.ok('restore', { session_id: other.id, env_index: 2, snapshot: snapshots[0] });
          const got: string[] = [];
          for (const a of actions) {
            // env 2 of `other` replays env 1 of `session`: give it env 1's actions
            const batch = createBatch(other.actSpace, 3);
            for (let i = 0; i < 3; i++) writeToBatch(other.actSpace, batch, i, readFromBatch(session.actSpace, a, 1));
            const r = await client.ok('step', { session_id: other.id, actions: batch });
            got.push(
              digest({ o: readFromBatch(other.obsSpace, r.observations, 2), r: (r.rewards.data as Float64Array)[2] }),
            );
          }
          expect(got).toEqual(expected);
          await client.fails('restore', { session_id: other.id, env_index: 3, snapshot: snapshots[0] }, 'BAD_REQUEST');
          await client.fails(
            'restore',
            { session_id: other.id, env_index: 0, snapshot: new Uint8Array([1, 2, 3, 4]) },
            'BAD_REQUEST',
          );
          const truncated = snapshots[0].slice(0, Math.floor(snapshots[0].length / 2));
          await client.fails('restore', { session_id: other.id, env_index: 0, snapshot: truncated }, 'BAD_REQUEST');
          const flipped = snapshots[0].slice();
          flipped[flipped.length - 1] ^= 0x01;
          await client.fails('restore', { session_id: other.id, env_index: 0, snapshot: flipped }, 'BAD_REQUEST');
          await client.fails('snapshot', { session_id: other.id, env_indices: [3] }, 'BAD_REQUEST');
        });
      });
    });
  });
}
