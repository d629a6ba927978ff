/**
 * Writes vectors/vectors.json: protocol messages with their exact bytes from our encoder.
 * Run from the repo root: npx tsx packages/protocol/scripts/generate-vectors.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeFrame } from '../src/codec.js';
import { ERRORS } from '../src/errors.js';
import { ndarray } from '../src/ndarray.js';
import { batchSpace, box, dictSpace, discrete, tupleSpace } from '../src/spaces/index.js';
import type { ErrorCode, MakeResult, Space } from '../src/types.js';
import { toVectorJson } from './vector-json.js';

interface Case {
  name: string;
  description: string;
  message: object;
}

const obsSpace = box([-4.8, -Infinity, -0.41887903, -Infinity], [4.8, Infinity, 0.41887903, Infinity]);
const actSpace = discrete(2);

function makeResult(obs: Space, act: Space, numEnvs: number, mode: MakeResult['autoreset_mode']): MakeResult {
  return {
    session_id: 's-1',
    env_id: 'CartPole-v1',
    num_envs: numEnvs,
    autoreset_mode: mode,
    single_observation_space: obs,
    single_action_space: act,
    observation_space: batchSpace(obs, numEnvs),
    action_space: batchSpace(act, numEnvs),
    max_episode_steps: 500,
    snapshot_supported: true,
    render_supported: true,
  };
}

const obs2x4 = ndarray('float32', [2, 4], [0.01, -0.02, 0.03, 0.04, -0.05, 0.06, 0.07, -0.08]);
const bools = (...v: number[]) => ndarray('bool', [v.length], v);

const dictObsSpace = dictSpace({
  position: box(-1, 1, [2]),
  flags: tupleSpace([discrete(3), box(0, 255, [1], 'uint8')]),
});

/** Poses of the two-geom scene of the render vectors: the floor at the origin, the capsule upright at height z. */
function twoGeomPoses(z: number) {
  const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  return {
    positions: ndarray('float64', [2, 3], [0, 0, 0, 0, 0, z]),
    rotations: ndarray('float64', [2, 9], [...identity, ...identity]),
  };
}

const cases: Case[] = [
  {
    name: 'hello_request',
    description: 'First request on a connection: versions the client speaks, client identity and a token.',
    message: {
      id: 0,
      type: 'hello',
      body: { protocol_versions: [1], client: { name: 'vinegym-py', version: '0.1.0' }, token: 'secret' },
    },
  },
  {
    name: 'hello_result',
    description: 'Server answer to hello: chosen version, identity, capabilities, limits and ping interval.',
    message: {
      id: 0,
      ok: true,
      body: {
        protocol_version: 1,
        server: { name: 'vinegym-env-server', version: '0.1.0' },
        capabilities: ['snapshot', 'render'],
        limits: {
          max_sessions: 64,
          max_envs_per_session: 4096,
          max_message_bytes: 67108864,
          max_connections: 256,
          max_snapshot_bytes: 16777216,
          max_in_flight: 256,
          idle_timeout_s: 900,
        },
        ping_interval_s: 30,
      },
    },
  },
  { name: 'list_request', description: 'list has an empty body.', message: { id: 1, type: 'list', body: {} } },
  {
    name: 'list_result',
    description: 'One env with one kwarg.',
    message: {
      id: 1,
      ok: true,
      body: {
        envs: [
          {
            id: 'CartPole-v1',
            description: 'Balance a pole on a cart.',
            kwargs: {
              sutton_barto_reward: {
                type: 'boolean',
                default: false,
                description: 'Reward 0 per step and -1 on failure.',
              },
            },
            max_episode_steps: 500,
          },
        ],
      },
    },
  },
  {
    name: 'make_request',
    description: 'Two CartPole envs seeded 42 and 43, next_step autoreset.',
    message: {
      id: 2,
      type: 'make',
      body: {
        env_id: 'CartPole-v1',
        kwargs: { sutton_barto_reward: false },
        num_envs: 2,
        seed: 42,
        autoreset_mode: 'next_step',
      },
    },
  },
  {
    name: 'make_result',
    description:
      'Box(4,) float32 observations with infinite bounds and Discrete(2) actions, single and batched (MultiDiscrete).',
    message: { id: 2, ok: true, body: makeResult(obsSpace, actSpace, 2, 'next_step') },
  },
  {
    name: 'reset_request',
    description: 'Reset env 1 only, with an explicit seed and options.',
    message: {
      id: 3,
      type: 'reset',
      body: { session_id: 's-1', seeds: [7], options: { low: -0.1 }, env_indices: [1] },
    },
  },
  {
    name: 'reset_result',
    description: 'Reset of all envs: observations float32 [2, 4] and one info map per env.',
    message: { id: 3, ok: true, body: { env_indices: [0, 1], observations: obs2x4, infos: [{}, {}] } },
  },
  {
    name: 'step_request',
    description: 'Actions for a Discrete action space: an int64 NDArray [num_envs].',
    message: { id: 4, type: 'step', body: { session_id: 's-1', actions: ndarray('int64', [2], [1, 0]) } },
  },
  {
    name: 'step_result',
    description: 'next_step mode: env 1 terminated; float64 rewards, bool flags, infos with a float and a string.',
    message: {
      id: 4,
      ok: true,
      body: {
        observations: obs2x4,
        rewards: ndarray('float64', [2], [1, 1]),
        terminated: bools(0, 1),
        truncated: bools(0, 0),
        autoreset: bools(0, 0),
        infos: [{}, { reason: 'pole fell', x: 2.5 }],
      },
    },
  },
  {
    name: 'make_result_dict_tuple',
    description: 'A Dict observation space nesting a Tuple, and its batched form.',
    message: { id: 5, ok: true, body: makeResult(dictObsSpace, actSpace, 2, 'same_step') },
  },
  {
    name: 'step_result_dict_tuple_same_step',
    description:
      'same_step mode with Dict/Tuple observations: env 0 ended, so observations hold its reset observation and ' +
      'final_observations[0]/final_infos[0] its terminal ones; null for env 1.',
    message: {
      id: 6,
      ok: true,
      body: {
        observations: {
          position: ndarray('float32', [2, 2], [0, 0.5, -0.25, 1]),
          flags: [ndarray('int64', [2], [2, 0]), ndarray('uint8', [2, 1], [255, 7])],
        },
        rewards: ndarray('float64', [2], [-1, 0.5]),
        terminated: bools(1, 0),
        truncated: bools(0, 0),
        autoreset: bools(0, 0),
        infos: [{ episode_start: true }, {}],
        final_observations: [
          { position: ndarray('float32', [2], [1, -1]), flags: [1, ndarray('uint8', [1], [3])] },
          null,
        ],
        final_infos: [{ episode: { r: -3.5, l: 12 } }, null],
      },
    },
  },
  {
    name: 'step_result_all_dtypes',
    description: 'Every dtype once (in infos), including int64/uint64 extremes, NaN and infinities.',
    message: {
      id: 7,
      ok: true,
      body: {
        observations: ndarray('float32', [1, 4], [NaN, Infinity, -Infinity, -0]),
        rewards: ndarray('float64', [1], [0.1]),
        terminated: bools(0),
        truncated: bools(1),
        autoreset: bools(0),
        infos: [
          {
            bool: bools(1, 0),
            int8: ndarray('int8', [2], [-128, 127]),
            uint8: ndarray('uint8', [2], [0, 255]),
            int16: ndarray('int16', [2], [-32768, 32767]),
            uint16: ndarray('uint16', [2], [0, 65535]),
            int32: ndarray('int32', [2], [-2147483648, 2147483647]),
            uint32: ndarray('uint32', [2], [0, 4294967295]),
            int64: ndarray('int64', [2], [-(2n ** 63n), 2n ** 63n - 1n]),
            uint64: ndarray('uint64', [2], [0n, 2n ** 64n - 1n]),
            float32: ndarray('float32', [1, 2], [1.5, -2]),
            float64: ndarray('float64', [2, 1, 1], [Math.PI, -1e300]),
            scalar: ndarray('float64', [], [0.5]),
            empty: ndarray('int32', [0, 3]),
            numbers: [0, -1, 127, 128, -32, -33, 255, 256, 65535, 65536, 4294967295, -2147483648, 0.5],
          },
        ],
      },
    },
  },
  {
    name: 'snapshot_request',
    description: 'Snapshot envs 1 and 0 (results come in the requested order).',
    message: { id: 8, type: 'snapshot', body: { session_id: 's-1', env_indices: [1, 0] } },
  },
  {
    name: 'snapshot_result',
    description: 'Opaque snapshot bytes as bin, one per requested env.',
    message: {
      id: 8,
      ok: true,
      body: { snapshots: [Uint8Array.of(0x76, 0x67, 0x01, 0xff), Uint8Array.of(0x76, 0x67, 0x01, 0x00)] },
    },
  },
  {
    name: 'restore_request',
    description: 'Restore env 0 from snapshot bytes.',
    message: {
      id: 9,
      type: 'restore',
      body: { session_id: 's-1', env_index: 0, snapshot: Uint8Array.of(0x76, 0x67, 0x01, 0xff) },
    },
  },
  { name: 'restore_result', description: 'restore returns an empty body.', message: { id: 9, ok: true, body: {} } },
  {
    name: 'render_request',
    description: 'Render env 0.',
    message: { id: 10, type: 'render', body: { session_id: 's-1', env_index: 0 } },
  },
  {
    name: 'render_result',
    description: 'An RGB frame, uint8 [height, width, 3].',
    message: { id: 10, ok: true, body: { frame: ndarray('uint8', [1, 2, 3], [255, 0, 0, 0, 255, 0]) } },
  },
  {
    name: 'render_scene_request',
    description: 'Ask for env 0\'s 3D scene: its static part and the current poses (capability "render:scene").',
    message: { id: 13, type: 'render', body: { session_id: 's-1', env_index: 0, mode: 'scene' } },
  },
  {
    name: 'render_scene_result',
    description: "A scene of a floor plane and a capsule, a camera tracking the capsule, and both geoms' poses.",
    message: {
      id: 13,
      ok: true,
      body: {
        scene: {
          geoms: [
            { type: 'plane', size: [20, 20, 0.125], rgba: [0.5, 0.5, 0.5, 1] },
            { type: 'capsule', size: [0.05, 0.2, 0], rgba: [0.8, 0.6, 0.4, 1] },
          ],
          meshes: [],
          camera: { lookat: [0, 0, 1], distance: 3, azimuth: 90, elevation: -20, fovy: 45, track_geom: 1 },
        },
        poses: twoGeomPoses(1.05),
      },
    },
  },
  {
    name: 'render_poses_request',
    description: 'Only the poses, to move a scene received before.',
    message: { id: 14, type: 'render', body: { session_id: 's-1', env_index: 0, mode: 'poses' } },
  },
  {
    name: 'render_poses_result',
    description: "The two geoms' positions and rotation matrices.",
    message: { id: 14, ok: true, body: { poses: twoGeomPoses(1.25) } },
  },
  {
    name: 'close_request',
    description: 'Close a session.',
    message: { id: 11, type: 'close', body: { session_id: 's-1' } },
  },
  { name: 'close_result', description: 'close returns an empty body.', message: { id: 11, ok: true, body: {} } },
  ...(Object.keys(ERRORS) as ErrorCode[]).map((code, k) => ({
    name: `error_${code.toLowerCase()}`,
    description: `An error response with code ${code}.`,
    message: { id: 100 + k, ok: false, error: { code, message: `example ${code} message` } },
  })),
  {
    name: 'error_with_details',
    description: 'An error with details (INVALID_ACTION naming the env).',
    message: {
      id: 12,
      ok: false,
      error: { code: 'INVALID_ACTION', message: 'actions[1] = 3 is outside Discrete(2)', details: { env_index: 1 } },
    },
  },
  {
    name: 'error_unparseable_frame',
    description: 'The answer to a frame whose id could not be read: id is null.',
    message: { id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'malformed MessagePack' } },
  },
  {
    name: 'step_result_number_formats',
    description:
      'Info numbers carry no int/float meaning (PROTOCOL.md 3): a whole float may go out as an int (x_velocity 2), ' +
      'a fraction is float64, and -0.0 is always float64 so that its sign survives.',
    message: {
      id: 13,
      ok: true,
      body: {
        observations: ndarray('float32', [1, 1], [0]),
        rewards: ndarray('float64', [1], [-0]),
        terminated: bools(0),
        truncated: bools(0),
        autoreset: bools(0),
        infos: [{ x_velocity: 2, reward_ctrl: -0, x_position: 0.125 }],
      },
    },
  },
  { name: 'ping', description: 'Server keep-alive.', message: { type: 'ping', nonce: 3 } },
  { name: 'pong', description: 'Client answer to a ping, echoing its nonce.', message: { type: 'pong', nonce: 3 } },
];

const vectors = cases.map(({ name, description, message }) => ({
  name,
  description,
  message: toVectorJson(message),
  hex: Buffer.from(encodeFrame(message)).toString('hex'),
}));

/** Request frames a server must refuse after hello, with the exact id and code of its answer (PROTOCOL.md 3, 4). */
interface Rejected {
  name: string;
  description: string;
  bytes: Uint8Array;
  error: { id: number | null; code: ErrorCode };
}

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const utf8 = (text: string) => new TextEncoder().encode(text);
/** A str header and bytes (fixstr up to 31 bytes). */
const rawStr = (bytes: Uint8Array) => Uint8Array.from([0xa0 | bytes.length, ...bytes]);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** The map `{"id": id, "type": <raw type str>, "body": {}}` with the given raw type bytes. */
const frameWithType = (id: number, type: Uint8Array) =>
  cat(hex('83 a2 6964'), Uint8Array.of(id), hex('a4 74797065'), type, hex('a4 626f6479 80'));

const rejected: Rejected[] = [
  {
    name: 'rejected_invalid_utf8_value',
    description:
      'A str that is not UTF-8 (0xff) makes the frame malformed: BAD_REQUEST with id null, although an id precedes it.',
    bytes: frameWithType(20, rawStr(Uint8Array.of(0x6c, 0xff, 0x73, 0x74))),
    error: { id: null, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_surrogate_in_str',
    description: 'UTF-8 must not encode surrogates (ED A0 80 is U+D800): malformed, id null.',
    bytes: frameWithType(21, rawStr(Uint8Array.of(0xed, 0xa0, 0x80))),
    error: { id: null, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_invalid_utf8_key',
    description: 'A map key that is not UTF-8: malformed, id null.',
    bytes: cat(
      hex('84 a2 6964 16 a4 74797065'),
      rawStr(utf8('list')),
      hex('a4 626f6479 80'),
      rawStr(Uint8Array.of(0xc3, 0x28)),
      hex('01'),
    ),
    error: { id: null, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_int_map_key',
    description: 'A map key that is an int: malformed, id null.',
    bytes: cat(hex('84 a2 6964 17 a4 74797065'), rawStr(utf8('list')), hex('a4 626f6479 80 01 02')),
    error: { id: null, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_trailing_bytes',
    description: 'A valid request followed by one more byte: malformed, id null.',
    bytes: cat(encodeFrame({ id: 24, type: 'list', body: {} }), Uint8Array.of(0x00)),
    error: { id: null, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_extension_type',
    description: 'An extension type (fixext 1) inside a request: malformed, id null.',
    bytes: cat(hex('83 a2 6964 19 a4 74797065'), rawStr(utf8('list')), hex('a4 626f6479 81 a1 78 d4 01 00')),
    error: { id: null, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_ndarray_length',
    description:
      'step whose actions NDArray has 3 bytes where int64 [2] needs 16: BAD_REQUEST carrying the readable id.',
    bytes: encodeFrame({
      id: 26,
      type: 'step',
      body: { session_id: 's-1', actions: { dtype: 'int64', shape: [2], data: Uint8Array.of(1, 2, 3) } },
    }),
    error: { id: 26, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_ndarray_dtype_in_options',
    description: 'An NDArray with an unknown dtype deep inside reset options: BAD_REQUEST carrying the id.',
    bytes: encodeFrame({
      id: 27,
      type: 'reset',
      body: { session_id: 's-1', options: { init: { dtype: 'float16', shape: [1], data: Uint8Array.of(0, 0) } } },
    }),
    error: { id: 27, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_unknown_top_level_field',
    description: 'A request frame with a field other than id, type and body: BAD_REQUEST carrying the id.',
    bytes: encodeFrame({ id: 28, type: 'list', body: {}, extra: true }),
    error: { id: 28, code: 'BAD_REQUEST' },
  },
  {
    name: 'rejected_id_not_an_integer',
    description: 'An id that is not an integer in [0, 2^53) cannot be echoed: id null.',
    bytes: encodeFrame({ id: -3, type: 'list', body: {} }),
    error: { id: null, code: 'BAD_REQUEST' },
  },
];

const path = fileURLToPath(new URL('../vectors/vectors.json', import.meta.url));
const rejectedJson = rejected.map(({ name, description, bytes, error }) => ({
  name,
  description,
  hex: Buffer.from(bytes).toString('hex'),
  error,
}));
writeFileSync(path, JSON.stringify({ protocol_version: 1, vectors, rejected: rejectedJson }, null, 2) + '\n');
console.log(`wrote ${vectors.length} vectors and ${rejectedJson.length} rejected frames to ${path}`);
