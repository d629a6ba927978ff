/** The protocol's error codes, the exception type that carries them, and their wire form. */
import type { ErrorCode, InfoValue, WireError } from './types.js';

/** Every error code with what it means; PROTOCOL.md's table is the normative version of this registry. */
export const ERRORS: Record<ErrorCode, { description: string }> = {
  BAD_REQUEST: {
    description:
      'The frame or request is malformed: undecodable MessagePack, wrong field types, a request before hello, ' +
      'or a request that is invalid in the current state (e.g. stepping an env that needs a reset).',
  },
  UNSUPPORTED_VERSION: { description: 'hello listed no protocol version the server speaks.' },
  UNAUTHORIZED: { description: 'hello carried a missing or wrong token.' },
  UNKNOWN_ENV: { description: 'make named an env id the server does not have.' },
  INVALID_KWARGS: {
    description: 'make passed kwargs the env does not accept (unknown name, wrong type, out of range).',
  },
  UNKNOWN_SESSION: { description: 'The session id does not exist on this connection (never made, or closed).' },
  INVALID_ACTION: { description: 'step actions are not a batch of the session action space.' },
  NOT_SUPPORTED: { description: 'The env does not support the operation (snapshot/restore or render).' },
  LIMIT_EXCEEDED: {
    description:
      'A server limit would be exceeded: connections, sessions per connection or in total, envs per session, ' +
      'snapshot bytes.',
  },
  ENV_ERROR: { description: 'The env implementation threw while handling the request.' },
  INTERNAL: { description: 'An unexpected server-side failure.' },
};

export class VinegymError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, InfoValue>;
  /** Id of the request this error answers, when known. */
  requestId?: number;

  constructor(code: ErrorCode, message: string, details?: Record<string, InfoValue>) {
    super(message);
    this.name = 'VinegymError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** What to send for any thrown value. Unknown errors become INTERNAL without their message, which may leak internals. */
export function toWireError(err: unknown): WireError {
  if (err instanceof VinegymError) {
    const wire: WireError = { code: err.code, message: err.message };
    if (err.details !== undefined) wire.details = err.details;
    return wire;
  }
  return { code: 'INTERNAL', message: 'internal server error' };
}

export function fromWireError(e: WireError, requestId?: number): VinegymError {
  const err = new VinegymError(e.code, e.message, e.details);
  if (requestId !== undefined) err.requestId = requestId;
  return err;
}

/**
 * A VinegymError without a stack trace, for the rejection of a peer's bytes (frame-scan.ts, text frames): a peer can
 * make a server build thousands a second, capturing a stack costs several times the rest of such a rejection, and
 * the stack would only point into the decoder.
 */
export function rejection(code: ErrorCode, message: string, details?: Record<string, InfoValue>): VinegymError {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new VinegymError(code, message, details);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Shorthand for the most common error. */
export function badRequest(message: string, details?: Record<string, InfoValue>): VinegymError {
  return new VinegymError('BAD_REQUEST', message, details);
}
