import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  VinegymError,
  decodeFrame,
  encodeFrame,
  parseRequestFrame,
  parseResponseFrame,
  isPongFrame,
  validateSpace,
} from '../src/index.js';
import { fromVectorJson, type Json } from '../scripts/vector-json.js';

interface Vector {
  name: string;
  description: string;
  message: Json;
  hex: string;
}

interface RejectedVector {
  name: string;
  description: string;
  hex: string;
  error: { id: number | null; code: string };
}

const file = JSON.parse(readFileSync(new URL('../vectors/vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
  rejected: RejectedVector[];
};

describe('test vectors', () => {
  it('cover every message kind the brief lists', () => {
    const names = file.vectors.map((v) => v.name);
    for (const required of [
      'hello_request',
      'hello_result',
      'list_request',
      'list_result',
      'make_request',
      'make_result',
      'reset_request',
      'reset_result',
      'step_request',
      'step_result',
      'step_result_dict_tuple_same_step',
      'snapshot_result',
      'restore_request',
      'error_internal',
      'error_bad_request',
      'ping',
      'pong',
    ]) {
      expect(names).toContain(required);
    }
  });

  for (const vector of file.vectors) {
    describe(vector.name, () => {
      const message = fromVectorJson(vector.message) as object;

      it('our encoder reproduces the committed bytes exactly', () => {
        expect(Buffer.from(encodeFrame(message)).toString('hex')).toBe(vector.hex);
      });

      it('decoding the bytes gives back the message', () => {
        expect(decodeFrame(Buffer.from(vector.hex, 'hex'))).toEqual(message);
      });

      it('is a valid frame', () => {
        const decoded = decodeFrame(Buffer.from(vector.hex, 'hex')) as Record<string, unknown>;
        if ('ok' in decoded || decoded.type === 'ping') {
          const frame = parseResponseFrame(decoded);
          if ('ok' in frame && frame.ok && 'single_observation_space' in frame.body) {
            for (const key of [
              'single_observation_space',
              'single_action_space',
              'observation_space',
              'action_space',
            ]) {
              validateSpace((frame.body as Record<string, unknown>)[key]);
            }
          }
        } else if (decoded.type === 'pong') {
          expect(isPongFrame(decoded)).toBe(true);
        } else {
          parseRequestFrame(decoded);
        }
      });
    });
  }

  describe('rejected frames', () => {
    it('cover malformed MessagePack (id null) and readable ids with bad contents (id kept)', () => {
      expect(file.rejected.some((v) => v.error.id === null)).toBe(true);
      expect(file.rejected.some((v) => v.error.id !== null)).toBe(true);
    });

    for (const vector of file.rejected) {
      it(`${vector.name}: ${vector.error.code} with id ${String(vector.error.id)}`, () => {
        let error: unknown;
        try {
          parseRequestFrame(decodeFrame(Buffer.from(vector.hex, 'hex')));
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(VinegymError);
        expect((error as VinegymError).code).toBe(vector.error.code);
        expect((error as VinegymError).requestId ?? null).toBe(vector.error.id);
      });
    }
  });
});
