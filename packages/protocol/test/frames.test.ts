import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  ERRORS,
  VinegymError,
  fromWireError,
  isPingFrame,
  isPongFrame,
  ndarray,
  parseRequestFrame,
  parseResponseFrame,
  toWireError,
  validateRequestBody,
} from '../src/index.js';
import { expectVinegymError } from './helpers.js';

describe('errors', () => {
  it('the registry describes every code', () => {
    expect(Object.keys(ERRORS).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(ERRORS[code].description.length).toBeGreaterThan(10);
  });
  it('round trips through the wire form', () => {
    const err = new VinegymError('INVALID_ACTION', 'bad', { env_index: 3 });
    const back = fromWireError(toWireError(err), 9);
    expect(back).toBeInstanceOf(VinegymError);
    expect([back.code, back.message, back.details, back.requestId]).toEqual([
      'INVALID_ACTION',
      'bad',
      { env_index: 3 },
      9,
    ]);
    expect(toWireError(new VinegymError('BAD_REQUEST', 'x'))).toEqual({ code: 'BAD_REQUEST', message: 'x' });
  });
  it('hides the message of unexpected errors', () => {
    expect(toWireError(new Error('/secret/path failed'))).toEqual({
      code: 'INTERNAL',
      message: 'internal server error',
    });
    expect(toWireError('oops').code).toBe('INTERNAL');
  });
});

describe('parseRequestFrame', () => {
  const good = { id: 5, type: 'close', body: { session_id: 's' } };
  it('accepts a valid frame', () => {
    expect(parseRequestFrame(good)).toEqual(good);
  });
  it('rejects a frame without a readable id, with no requestId', () => {
    for (const id of [undefined, -1, 1.5, 2 ** 53, '5', null]) {
      const err = expectVinegymError(() => parseRequestFrame({ ...good, id }), 'BAD_REQUEST', /id/);
      expect(err.requestId).toBeUndefined();
    }
    expectVinegymError(() => parseRequestFrame([1, 2]), 'BAD_REQUEST', /map/);
  });
  it('rejects bad type, body or extra keys with the request id set', () => {
    for (const frame of [
      { ...good, type: 'explode' },
      { ...good, body: [] },
      { ...good, extra: 1 },
      { ...good, body: { session_id: 7 } },
    ]) {
      expect(expectVinegymError(() => parseRequestFrame(frame), 'BAD_REQUEST').requestId).toBe(5);
    }
  });
});

describe('validateRequestBody', () => {
  const valid: Record<string, object> = {
    hello: { protocol_versions: [1, 2], client: { name: 'c', version: '1' } },
    list: {},
    make: {
      env_id: 'CartPole-v1',
      kwargs: { a: 1, b: null, c: 'x', d: true },
      num_envs: 4,
      seed: null,
      autoreset_mode: 'same_step',
    },
    reset: { session_id: 's', seeds: [1, null], env_indices: [0, 3], options: { x: [1] } },
    step: { session_id: 's', actions: ndarray('int64', [1]) },
    snapshot: { session_id: 's', env_indices: [2, 0] },
    restore: { session_id: 's', env_index: 0, snapshot: new Uint8Array(3) },
    render: { session_id: 's', env_index: 1 },
    render_scene: { session_id: 's', env_index: 0, mode: 'scene' },
    close: { session_id: 's' },
  };
  for (const [type, body] of Object.entries(valid)) {
    it(`accepts a valid ${type} body`, () => {
      expect(validateRequestBody(type.replace(/_scene$/, '') as 'list', body)).toBe(body);
    });
  }

  const invalid: [string, object, RegExp][] = [
    ['hello', { protocol_versions: [], client: { name: 'c', version: '1' } }, /hello\.protocol_versions/],
    ['hello', { protocol_versions: [1], client: { name: 'c' } }, /hello\.client\.version/],
    ['hello', { protocol_versions: [1], client: { name: 'c', version: '1' }, token: 5 }, /hello\.token/],
    ['list', { x: 1 }, /unknown field "x"/],
    ['make', { env_id: 3 }, /make\.env_id/],
    ['make', { env_id: 'e', num_envs: 0 }, /make\.num_envs must be a positive integer, got 0/],
    ['make', { env_id: 'e', seed: -1 }, /make\.seed/],
    ['make', { env_id: 'e', seed: 1.5 }, /make\.seed/],
    ['make', { env_id: 'e', autoreset_mode: 'sometimes' }, /make\.autoreset_mode/],
    ['make', { env_id: 'e', kwargs: { a: [1] } }, /make\.kwargs\.a/],
    ['make', { env_id: 'e', kwargs: [] }, /make\.kwargs must be a map/],
    ['reset', { session_id: 's', seed: 1, seeds: [1] }, /mutually exclusive/],
    ['reset', { session_id: 's', seeds: [1, 'a'] }, /reset\.seeds\[1\]/],
    ['reset', { session_id: 's', env_indices: [1, 1] }, /increasing/],
    ['reset', { session_id: 's', env_indices: [0, -1] }, /reset\.env_indices/],
    ['reset', { session_id: 's', env_indices: [0, 1], seeds: [1] }, /seeds has 1 entries/],
    ['reset', { session_id: 's', options: 3 }, /reset\.options/],
    ['reset', {}, /reset\.session_id/],
    ['step', { session_id: 's' }, /step\.actions/],
    ['snapshot', { session_id: 's' }, /snapshot\.env_indices/],
    ['restore', { session_id: 's', env_index: 0, snapshot: 'abc' }, /restore\.snapshot must be bin/],
    ['restore', { session_id: 's', env_index: -1, snapshot: new Uint8Array() }, /restore\.env_index/],
    ['render', { session_id: 's' }, /render\.env_index/],
    ['render', { session_id: 's', env_index: 0, mode: 'svg' }, /render\.mode must be one of rgb_array, scene, poses/],
    ['close', { session_id: 's', more: 1 }, /unknown field "more"/],
  ];
  for (const [type, body, pattern] of invalid) {
    it(`rejects ${type} ${JSON.stringify(body)}`, () => {
      expectVinegymError(() => validateRequestBody(type as 'list', body), 'BAD_REQUEST', pattern);
    });
  }
});

describe('parseResponseFrame', () => {
  it('accepts results, errors (id null included) and pings', () => {
    expect(parseResponseFrame({ id: 1, ok: true, body: {} })).toEqual({ id: 1, ok: true, body: {} });
    const error = { id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'm', details: { a: 1 } } };
    expect(parseResponseFrame(error)).toEqual(error);
    expect(parseResponseFrame({ type: 'ping', nonce: 4 })).toEqual({ type: 'ping', nonce: 4 });
  });
  it('rejects malformed responses', () => {
    for (const frame of [
      { id: 1, ok: 'yes', body: {} },
      { id: null, ok: true, body: {} },
      { id: 1, ok: true, body: 3 },
      { id: 1, ok: false, error: { code: 'NOPE', message: 'm' } },
      { id: 1, ok: false, error: { code: 'toString', message: 'm' } },
      { id: 1, ok: false, error: { code: 'INTERNAL' } },
      { type: 'ping' },
    ]) {
      expectVinegymError(() => parseResponseFrame(frame), 'BAD_REQUEST');
    }
  });
  it('recognises keep-alive frames exactly', () => {
    expect(isPongFrame({ type: 'pong', nonce: 1 })).toBe(true);
    expect(isPongFrame({ type: 'pong', nonce: 1, id: 2 })).toBe(false);
    expect(isPingFrame({ type: 'pong', nonce: 1 })).toBe(false);
  });
});
