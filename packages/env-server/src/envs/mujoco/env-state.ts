/**
 * The byte layout of MujocoEnv.getState: MuJoCo's integration state plus the env's step bookkeeping, so that
 * restore-then-step reproduces the original continuation bit for bit.
 *
 * Little-endian: u8 layout version (2), u8 flags (1 = reset done, 2 = RNG present, 4 = physics error),
 * u16 padding, u32 integration-state length S, u32 position length P, u32 observation length O,
 * u32 elapsed steps, then S + P + O float64 (integration state, position before the next step, last finite
 * observation), then 40 bytes of PCG64 state (NumpyGenerator) and the physics error message as UTF-8 to the end.
 */
import { VinegymError } from '@vinegym/protocol';
import { NUMPY_GENERATOR_STATE_BYTES } from '../../rng.js';
import { formatVersionError } from '../../snapshot.js';

const LAYOUT_VERSION = 2;
const HEADER_BYTES = 20;
const RNG_BYTES = NUMPY_GENERATOR_STATE_BYTES;
const FLAG_HAS_STATE = 1;
const FLAG_HAS_RNG = 2;
const FLAG_PHYSICS_ERROR = 4;

export interface MujocoEnvState {
  hasState: boolean;
  integration: Float64Array;
  positionBefore: number[];
  lastObservation: Float64Array;
  elapsedSteps: number;
  /** NumpyGenerator state bytes, or null before the first reset. */
  rng: Uint8Array | null;
  physicsError: string | null;
}

export function encodeEnvState(state: MujocoEnvState): Uint8Array {
  const message = new TextEncoder().encode(state.physicsError ?? '');
  const doubles = state.integration.length + state.positionBefore.length + state.lastObservation.length;
  const bytes = new Uint8Array(HEADER_BYTES + 8 * doubles + RNG_BYTES + message.length);
  const view = new DataView(bytes.buffer);
  const flags =
    (state.hasState ? FLAG_HAS_STATE : 0) |
    (state.rng ? FLAG_HAS_RNG : 0) |
    (state.physicsError !== null ? FLAG_PHYSICS_ERROR : 0);
  view.setUint8(0, LAYOUT_VERSION);
  view.setUint8(1, flags);
  view.setUint32(4, state.integration.length, true);
  view.setUint32(8, state.positionBefore.length, true);
  view.setUint32(12, state.lastObservation.length, true);
  view.setUint32(16, state.elapsedSteps, true);
  let offset = HEADER_BYTES;
  for (const values of [state.integration, state.positionBefore, state.lastObservation]) {
    for (let i = 0; i < values.length; i++, offset += 8) view.setFloat64(offset, values[i], true);
  }
  if (state.rng) bytes.set(state.rng, offset);
  bytes.set(message, offset + RNG_BYTES);
  return bytes;
}

/** Decodes and checks the sizes against the env's model: BAD_REQUEST for state from another model or layout. */
export function decodeEnvState(
  bytes: Uint8Array,
  expected: { integration: number; position: number; observation: number },
): MujocoEnvState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizes =
    bytes.byteLength >= HEADER_BYTES
      ? [view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true)]
      : [];
  const fixedBytes = HEADER_BYTES + 8 * (expected.integration + expected.position + expected.observation) + RNG_BYTES;
  if (bytes.byteLength > 0 && bytes[0] !== LAYOUT_VERSION) {
    throw formatVersionError('MuJoCo env state', bytes[0], LAYOUT_VERSION);
  }
  if (
    bytes.byteLength < fixedBytes ||
    sizes[0] !== expected.integration ||
    sizes[1] !== expected.position ||
    sizes[2] !== expected.observation
  ) {
    throw new VinegymError('BAD_REQUEST', 'MuJoCo env state does not match this env (other model or kwargs)');
  }
  const flags = bytes[1];
  const read = (offset: number, n: number): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(offset + 8 * i, true);
    return out;
  };
  let offset = HEADER_BYTES;
  const integration = read(offset, expected.integration);
  offset += 8 * expected.integration;
  const positionBefore = Array.from(read(offset, expected.position));
  offset += 8 * expected.position;
  const lastObservation = read(offset, expected.observation);
  offset += 8 * expected.observation;
  return {
    hasState: (flags & FLAG_HAS_STATE) !== 0,
    integration,
    positionBefore,
    lastObservation,
    elapsedSteps: view.getUint32(16, true),
    rng: flags & FLAG_HAS_RNG ? bytes.slice(offset, offset + RNG_BYTES) : null,
    physicsError: flags & FLAG_PHYSICS_ERROR ? new TextDecoder().decode(bytes.subarray(offset + RNG_BYTES)) : null,
  };
}
