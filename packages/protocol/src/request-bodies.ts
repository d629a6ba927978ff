/**
 * Field-level validation of request bodies. It checks types and ranges that need no server state; the server
 * checks the rest (session exists, env indices < num_envs, actions in the action space, limits).
 */
import {
  expectMap,
  fail,
  isInteger,
  isNonNegativeInteger,
  isPlainMap,
  quote,
  rejectUnknownFields,
  type PlainMap,
} from './checks.js';
import { badRequest } from './errors.js';
import { RENDER_MODES, type AutoresetMode, type Messages, type RenderMode, type RequestType } from './types.js';

const AUTORESET_MODES: readonly AutoresetMode[] = ['next_step', 'same_step', 'disabled'];

type Validator = (body: PlainMap, where: string) => void;

const VALIDATORS: Record<RequestType, Validator> = {
  hello(body, where) {
    rejectUnknownFields(body, ['protocol_versions', 'client', 'token'], where);
    const versions = body.protocol_versions;
    if (!Array.isArray(versions) || versions.length === 0 || !versions.every((v) => isInteger(v) && v > 0)) {
      fail(`${where}.protocol_versions`, 'a non-empty array of positive integers', versions);
    }
    const client = expectMap(body.client, `${where}.client`);
    rejectUnknownFields(client, ['name', 'version'], `${where}.client`);
    requireString(client, 'name', `${where}.client`);
    requireString(client, 'version', `${where}.client`);
    if (body.token !== undefined && typeof body.token !== 'string') fail(`${where}.token`, 'a string', body.token);
  },
  list(body, where) {
    rejectUnknownFields(body, [], where);
  },
  make(body, where) {
    rejectUnknownFields(body, ['env_id', 'kwargs', 'num_envs', 'seed', 'autoreset_mode', 'strict_actions'], where);
    requireString(body, 'env_id', where);
    if (body.kwargs !== undefined) {
      const kwargs = expectMap(body.kwargs, `${where}.kwargs`);
      for (const [name, value] of Object.entries(kwargs)) {
        const scalar = value === null || ['number', 'boolean', 'string'].includes(typeof value);
        if (!scalar) fail(`${where}.kwargs.${name}`, 'a number, boolean, string or null', value);
      }
    }
    if (body.num_envs !== undefined && !(isInteger(body.num_envs) && body.num_envs > 0)) {
      fail(`${where}.num_envs`, 'a positive integer', body.num_envs);
    }
    checkSeed(body.seed, `${where}.seed`);
    if (body.autoreset_mode !== undefined && !AUTORESET_MODES.includes(body.autoreset_mode as AutoresetMode)) {
      fail(`${where}.autoreset_mode`, `one of ${AUTORESET_MODES.join(', ')}`, body.autoreset_mode);
    }
    if (body.strict_actions !== undefined && typeof body.strict_actions !== 'boolean') {
      fail(`${where}.strict_actions`, 'a boolean', body.strict_actions);
    }
  },
  reset(body, where) {
    rejectUnknownFields(body, ['session_id', 'seed', 'seeds', 'options', 'env_indices'], where);
    requireString(body, 'session_id', where);
    checkSeed(body.seed, `${where}.seed`);
    if (body.seeds !== undefined) {
      if (body.seed !== undefined) throw badRequest(`${where}: seed and seeds are mutually exclusive`);
      if (!Array.isArray(body.seeds)) fail(`${where}.seeds`, 'an array of seeds', body.seeds);
      body.seeds.forEach((s, i) => checkSeed(s, `${where}.seeds[${i}]`));
    }
    if (body.options !== undefined && !isPlainMap(body.options)) fail(`${where}.options`, 'a map', body.options);
    if (body.env_indices !== undefined) {
      checkIndices(body.env_indices, `${where}.env_indices`, true);
      if (Array.isArray(body.seeds) && body.seeds.length !== body.env_indices.length) {
        throw badRequest(
          `${where}.seeds has ${body.seeds.length} entries but env_indices has ${body.env_indices.length}`,
        );
      }
    }
  },
  step(body, where) {
    rejectUnknownFields(body, ['session_id', 'actions'], where);
    requireString(body, 'session_id', where);
    // The shape of actions depends on the session's action space; the server checks it (INVALID_ACTION).
    if (body.actions === undefined) throw badRequest(`${where}.actions is required`);
  },
  snapshot(body, where) {
    rejectUnknownFields(body, ['session_id', 'env_indices'], where);
    requireString(body, 'session_id', where);
    checkIndices(body.env_indices, `${where}.env_indices`, false);
  },
  restore(body, where) {
    rejectUnknownFields(body, ['session_id', 'env_index', 'snapshot'], where);
    requireString(body, 'session_id', where);
    requireIndex(body, 'env_index', where);
    if (!(body.snapshot instanceof Uint8Array)) fail(`${where}.snapshot`, 'bin', body.snapshot);
  },
  render(body, where) {
    rejectUnknownFields(body, ['session_id', 'env_index', 'mode'], where);
    requireString(body, 'session_id', where);
    requireIndex(body, 'env_index', where);
    if (body.mode !== undefined && !RENDER_MODES.includes(body.mode as RenderMode)) {
      fail(`${where}.mode`, `one of ${RENDER_MODES.join(', ')}`, body.mode);
    }
  },
  close(body, where) {
    rejectUnknownFields(body, ['session_id'], where);
    requireString(body, 'session_id', where);
  },
};

/** Checks a request body's fields; throws VinegymError BAD_REQUEST naming the first bad field. */
export function validateRequestBody<T extends RequestType>(type: T, body: unknown): Messages[T][0] {
  const validate = VALIDATORS[type];
  if (validate === undefined) throw badRequest(`unknown request type ${quote(String(type))}`);
  const map = expectMap(body, type);
  validate(map, type);
  return map as Messages[T][0];
}

function requireString(map: PlainMap, field: string, where: string): void {
  if (typeof map[field] !== 'string') fail(`${where}.${field}`, 'a string', map[field]);
}

function requireIndex(map: PlainMap, field: string, where: string): void {
  if (!isNonNegativeInteger(map[field])) fail(`${where}.${field}`, 'a non-negative integer', map[field]);
}

/** Seeds are absent, null (keep the RNG) or a non-negative integer. */
function checkSeed(seed: unknown, where: string): void {
  if (seed !== undefined && seed !== null && !isNonNegativeInteger(seed)) {
    fail(where, 'a non-negative integer or null', seed);
  }
}

function checkIndices(x: unknown, where: string, increasing: boolean): asserts x is number[] {
  if (!Array.isArray(x) || !x.every(isNonNegativeInteger)) fail(where, 'an array of non-negative integers', x);
  if (increasing) {
    for (let i = 1; i < x.length; i++) {
      if (x[i] <= x[i - 1]) throw badRequest(`${where} must be increasing without repeats`);
    }
  }
}
