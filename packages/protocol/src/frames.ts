/** Structural parsing of decoded frames: requests on the server side, responses and pings on the client side. */
import { describeReceived, expectMap, fail, isNonNegativeInteger, isPlainMap, rejectUnknownFields } from './checks.js';
import { VinegymError, badRequest } from './errors.js';
import { validateRequestBody } from './request-bodies.js';
import type { ErrorCode, PingFrame, PongFrame, RequestFrame, RequestType, ResponseFrame, WireError } from './types.js';
import { ERROR_CODES, REQUEST_TYPES } from './types.js';

/**
 * Checks a decoded request frame `{id, type, body}` and its body (see validateRequestBody). Throws VinegymError
 * BAD_REQUEST, with `requestId` set whenever the id could be read, so the error can answer that request.
 */
export function parseRequestFrame(x: unknown): RequestFrame {
  const frame = expectMap(x, 'request frame');
  const id = frame.id;
  if (!isNonNegativeInteger(id)) fail('request frame id', 'an integer in [0, 2^53)', id);
  try {
    rejectUnknownFields(frame, ['id', 'type', 'body'], 'request frame');
    const type = frame.type;
    if (!REQUEST_TYPES.includes(type as RequestType)) fail('request frame type', 'a request type', type);
    const body = validateRequestBody(type as RequestType, frame.body);
    return { id, type, body } as RequestFrame;
  } catch (err) {
    if (err instanceof VinegymError) err.requestId = id;
    throw err;
  }
}

/** A client's answer to a server ping. */
export function isPongFrame(x: unknown): x is PongFrame {
  return isKeepAlive(x, 'pong');
}

export function isPingFrame(x: unknown): x is PingFrame {
  return isKeepAlive(x, 'ping');
}

function isKeepAlive(x: unknown, type: 'ping' | 'pong'): boolean {
  return isPlainMap(x) && x.type === type && typeof x.nonce === 'number' && Object.keys(x).length === 2;
}

/** Checks a decoded frame from the server: a response (bodies are not checked) or a ping. */
export function parseResponseFrame(x: unknown): ResponseFrame | PingFrame {
  if (isPingFrame(x)) return x;
  const frame = expectMap(x, 'response frame');
  const { id, ok } = frame;
  if (ok === true) {
    rejectUnknownFields(frame, ['id', 'ok', 'body'], 'response frame');
    if (!isNonNegativeInteger(id)) fail('response frame id', 'an integer in [0, 2^53)', id);
    return { id, ok, body: expectMap(frame.body, 'response body') } as ResponseFrame;
  }
  if (ok === false) {
    rejectUnknownFields(frame, ['id', 'ok', 'error'], 'response frame');
    if (id !== null && !isNonNegativeInteger(id)) fail('response frame id', 'an integer in [0, 2^53) or null', id);
    return { id, ok, error: parseWireError(frame.error) };
  }
  throw badRequest(`response frame ok must be a boolean, got ${describeReceived(ok)}`);
}

function parseWireError(x: unknown): WireError {
  const error = expectMap(x, 'response error');
  rejectUnknownFields(error, ['code', 'message', 'details'], 'response error');
  const { code, message, details } = error;
  if (!ERROR_CODES.includes(code as ErrorCode)) fail('response error code', 'a known error code', code);
  if (typeof message !== 'string') fail('response error message', 'a string', message);
  const wire: WireError = { code: code as ErrorCode, message };
  if (details !== undefined) wire.details = expectMap(details, 'response error details') as WireError['details'];
  return wire;
}
