import type { ResetRequest } from '@vinegym/protocol';
import type { ResetOptions } from '../env/vector-env.js';

/** The wire body of a reset request: only the fields the caller set, so defaults stay the server's. */
export function resetBody(sessionId: string, options: ResetOptions): ResetRequest {
  const body: ResetRequest = { session_id: sessionId };
  if (options.seed !== undefined) body.seed = options.seed;
  if (options.seeds !== undefined) body.seeds = options.seeds;
  if (options.options !== undefined) body.options = options.options;
  if (options.envIndices !== undefined) body.env_indices = options.envIndices;
  return body;
}
