/**
 * Wire types of vinegym protocol v1. PROTOCOL.md is the normative description; this file is its TypeScript mirror.
 * Field names on the wire are snake_case so that non-JS implementations can use them as they are.
 */

export const PROTOCOL_VERSION = 1;

/** Element types an NDArray may carry. All multi-byte types travel little-endian. */
export type DType =
  'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

/** The JS typed array that holds each dtype in memory. `bool` is one byte per element (0 or 1). */
export type TypedArrayOf<D extends DType> = D extends 'bool' | 'uint8'
  ? Uint8Array
  : D extends 'int8'
    ? Int8Array
    : D extends 'int16'
      ? Int16Array
      : D extends 'uint16'
        ? Uint16Array
        : D extends 'int32'
          ? Int32Array
          : D extends 'uint32'
            ? Uint32Array
            : D extends 'int64'
              ? BigInt64Array
              : D extends 'uint64'
                ? BigUint64Array
                : D extends 'float32'
                  ? Float32Array
                  : Float64Array;

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** An n-dimensional array in memory: row-major `data` of `dtype` with the given `shape`. */
export interface NDArray<D extends DType = DType> {
  dtype: D;
  shape: number[];
  data: TypedArrayOf<D>;
}

// ---------------------------------------------------------------------------------------------------------------
// Spaces (as in Gymnasium). Bounds of a Box are full arrays of the Box's shape and dtype.

export interface BoxSpace {
  type: 'box';
  dtype: DType;
  shape: number[];
  low: NDArray;
  high: NDArray;
}
export interface DiscreteSpace {
  type: 'discrete';
  n: number;
  start: number;
}
export interface MultiDiscreteSpace {
  type: 'multi_discrete';
  /** int64 array; each element's values are start[i] .. start[i] + nvec[i] - 1. */
  nvec: NDArray<'int64'>;
  start: NDArray<'int64'>;
}
export interface MultiBinarySpace {
  type: 'multi_binary';
  shape: number[];
}
export interface DictSpace {
  type: 'dict';
  /** Ordered: the order of keys is part of the space. */
  spaces: Record<string, Space>;
}
export interface TupleSpace {
  type: 'tuple';
  spaces: Space[];
}
export type Space = BoxSpace | DiscreteSpace | MultiDiscreteSpace | MultiBinarySpace | DictSpace | TupleSpace;

/**
 * A value of a space. Box, MultiDiscrete and MultiBinary values are NDArrays; a Discrete value is a number;
 * Dict and Tuple values nest. A *batch* of values for a vector env has the same structure with an extra leading
 * axis of size num_envs on every leaf (Discrete leaves become int64 NDArrays of shape [num_envs]).
 */
export type SpaceValue = NDArray | number | { [key: string]: SpaceValue } | SpaceValue[];

/** Info values: anything MessagePack can carry, with NDArrays for numeric arrays. */
export type InfoValue = null | boolean | number | string | NDArray | InfoValue[] | { [key: string]: InfoValue };
export type Info = Record<string, InfoValue>;

// ---------------------------------------------------------------------------------------------------------------
// Errors

export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNSUPPORTED_VERSION',
  'UNAUTHORIZED',
  'UNKNOWN_ENV',
  'INVALID_KWARGS',
  'UNKNOWN_SESSION',
  'INVALID_ACTION',
  'NOT_SUPPORTED',
  'LIMIT_EXCEEDED',
  'ENV_ERROR',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  details?: Record<string, InfoValue>;
}

// ---------------------------------------------------------------------------------------------------------------
// Autoreset (Gymnasium 1.x vector semantics)

export type AutoresetMode = 'next_step' | 'same_step' | 'disabled';

// ---------------------------------------------------------------------------------------------------------------
// Requests and their results. A request frame is { id, type, body }; a response frame is
// { id, ok: true, body } or { id, ok: false, error }. See PROTOCOL.md.

export interface HelloRequest {
  protocol_versions: number[];
  client: { name: string; version: string };
  token?: string;
}
/**
 * Server limits (PROTOCOL.md section 9). The optional entries were added later in v1; servers SHOULD send them, and
 * a client must not conclude that a limit is absent because its entry is.
 */
export interface Limits {
  max_sessions: number;
  max_envs_per_session: number;
  max_message_bytes: number;
  /** Sessions of all connections together. */
  max_total_sessions?: number;
  /** Connections that completed hello; one more is answered LIMIT_EXCEEDED and closed (1013). */
  max_connections?: number;
  /** Connections that have not completed hello (HTTP included); one more drops the oldest of them. */
  max_pending_connections?: number;
  /** Largest `restore.snapshot` in bytes; larger: LIMIT_EXCEEDED. */
  max_snapshot_bytes?: number;
  /** Unwritten responses at which the server stops handling and reading this connection's requests. */
  max_in_flight?: number;
  /** Unwritten response bytes at which the server stops handling and reading this connection's requests. */
  max_buffered_bytes?: number;
  /** Seconds with nothing but pongs after which the server closes the connection (4001); 0: never. */
  idle_timeout_s?: number;
  /** Seconds a ping may go unanswered, with nothing else arriving, before the server closes (4000); 0: never. */
  ping_timeout_s?: number;
  /** Seconds from opening within which hello must succeed (else 4001). */
  hello_timeout_s?: number;
  /** Seconds within which a message must arrive completely after its first byte (else 4002). */
  message_timeout_s?: number;
  /** Largest message before hello succeeded (larger: 1009). */
  max_message_bytes_before_hello?: number;
  /** Decode budget of one frame (section 9.1), after and before hello. */
  max_frame_values?: number;
  max_frame_containers?: number;
  max_frame_depth?: number;
  max_string_bytes?: number;
  max_frame_values_before_hello?: number;
  max_frame_containers_before_hello?: number;
  max_frame_depth_before_hello?: number;
  max_string_bytes_before_hello?: number;
  /** Worker threads the server's sessions may use together; a make needing more: LIMIT_EXCEEDED. */
  max_worker_threads?: number;
  /** Worker threads one connection's sessions may use together. */
  max_worker_threads_per_connection?: number;
  /** Estimated bytes one connection's sessions may hold; a make exceeding it: LIMIT_EXCEEDED. */
  max_session_memory_bytes?: number;
  /** Estimated bytes all sessions may hold together. */
  max_total_session_memory_bytes?: number;
  /** Seconds a call on a session's worker threads may take before the session fails with ENV_ERROR; 0: none. */
  step_timeout_s?: number;
  /** Largest MJCF document (mujoco/custom-v0's xml, or an xml_path file) in bytes. */
  max_mjcf_bytes?: number;
  /** Seconds a client MJCF document may take to compile. */
  mjcf_compile_timeout_s?: number;
  /** WebAssembly memory a client MJCF document may take to compile, in bytes. */
  max_mjcf_compile_bytes?: number;
  /** Largest model one env may be built from: estimated bytes of its MjData and the model. */
  max_model_bytes?: number;
}
export interface HelloResult {
  protocol_version: number;
  server: { name: string; version: string };
  capabilities: string[];
  limits: Limits;
  /** Seconds between server pings on an idle connection. */
  ping_interval_s: number;
}

export interface KwargSpec {
  type: 'number' | 'integer' | 'boolean' | 'string';
  default: number | boolean | string | null;
  description: string;
  minimum?: number;
  maximum?: number;
  enum?: (number | string)[];
}
export interface EnvDescription {
  id: string;
  description: string;
  kwargs: Record<string, KwargSpec>;
  max_episode_steps: number | null;
}
export type ListRequest = Record<string, never>;
export interface ListResult {
  envs: EnvDescription[];
}

export interface MakeRequest {
  env_id: string;
  kwargs?: Record<string, number | boolean | string | null>;
  num_envs?: number;
  seed?: number | null;
  autoreset_mode?: AutoresetMode;
  /** Reject Box actions outside [low, high] with INVALID_ACTION. Default false: they pass to the env (Gymnasium). */
  strict_actions?: boolean;
}
export interface MakeResult {
  session_id: string;
  env_id: string;
  num_envs: number;
  autoreset_mode: AutoresetMode;
  /** Space of one env. */
  single_observation_space: Space;
  single_action_space: Space;
  /** Space of a batch: the single space with a leading num_envs axis (Discrete becomes MultiDiscrete). */
  observation_space: Space;
  action_space: Space;
  max_episode_steps: number | null;
  snapshot_supported: boolean;
  /** Whether `render` in mode `rgb_array` (the default) works for this env. */
  render_supported: boolean;
  /** Whether Box bounds are enforced on actions; absent from servers of an earlier revision, which always enforce them. */
  strict_actions?: boolean;
  /** The render modes this env answers (absent from servers before render modes: `rgb_array` iff render_supported). */
  render_modes?: RenderMode[];
}

export interface ResetRequest {
  session_id: string;
  /** One seed: env i is seeded with seed + i. Exclusive with `seeds`. */
  seed?: number | null;
  /** One seed (or null) per reset env, in the order of env_indices. */
  seeds?: (number | null)[];
  options?: Record<string, InfoValue>;
  /** Subset of envs to reset (default: all), in increasing order without repeats. */
  env_indices?: number[];
}
export interface ResetResult {
  env_indices: number[];
  observations: SpaceValue;
  infos: Info[];
}

export interface StepRequest {
  session_id: string;
  actions: SpaceValue;
}
export interface StepResult {
  observations: SpaceValue;
  rewards: NDArray<'float64'>;
  terminated: NDArray<'bool'>;
  truncated: NDArray<'bool'>;
  /** next_step mode: envs whose action was ignored because they were reset in this step. */
  autoreset: NDArray<'bool'>;
  infos: Info[];
  /** same_step mode only: the terminal observation of each env whose episode ended in this step, else null. */
  final_observations?: (SpaceValue | null)[];
  final_infos?: (Info | null)[];
}

export interface SnapshotRequest {
  session_id: string;
  env_indices: number[];
}
export interface SnapshotResult {
  snapshots: Uint8Array[];
}
export interface RestoreRequest {
  session_id: string;
  env_index: number;
  snapshot: Uint8Array;
}
export type RestoreResult = Record<string, never>;

/**
 * What `render` returns: `rgb_array` an RGB frame; `scene` a 3D scene's static part (geoms, meshes, camera) with
 * the current poses; `poses` only the current poses, to move a scene received before.
 */
export type RenderMode = 'rgb_array' | 'scene' | 'poses';
export const RENDER_MODES: readonly RenderMode[] = ['rgb_array', 'scene', 'poses'];

export interface RenderRequest {
  session_id: string;
  env_index: number;
  /** Default 'rgb_array'. */
  mode?: RenderMode;
}
/** Exactly the fields of the requested mode: `frame` (rgb_array), `scene` and `poses` (scene), `poses` (poses). */
export interface RenderResult {
  frame?: NDArray<'uint8'>;
  scene?: Scene;
  poses?: ScenePoses;
}

/** MuJoCo's geom types (mjtGeom), by name. */
export type SceneGeomType = 'plane' | 'hfield' | 'sphere' | 'capsule' | 'ellipsoid' | 'cylinder' | 'box' | 'mesh';

/** One geom of a scene. Sizes and frames follow MuJoCo: half-sizes, capsules and cylinders along their local z. */
export interface SceneGeom {
  type: SceneGeomType;
  /** MuJoCo's geom_size: [radius or half-x, half-length or half-y, half-z] as the type uses them. */
  size: number[];
  /** Red, green, blue, alpha in [0, 1]. */
  rgba: number[];
  /** Index into `Scene.meshes` for type 'mesh'. */
  mesh?: number;
}

export interface SceneMesh {
  /** float32 [n, 3], in the geom's frame. */
  vertices: NDArray<'float32'>;
  /** int32 [m, 3], indices into vertices, counter-clockwise seen from outside. */
  faces: NDArray<'int32'>;
}

/** A camera orbiting `lookat` (MuJoCo's free camera): angles in degrees, MuJoCo's conventions. */
export interface SceneCamera {
  lookat: number[];
  distance: number;
  azimuth: number;
  elevation: number;
  /** Vertical field of view, degrees. */
  fovy: number;
  /** Null: `lookat` is fixed. Else the camera tracks this geom: lookat is its x and y, at its first height. */
  track_geom: number | null;
}

/** The static part of a 3D scene, sent once; `ScenePoses` then move its geoms. z is up. */
export interface Scene {
  geoms: SceneGeom[];
  meshes: SceneMesh[];
  camera: SceneCamera;
}

/** Each geom's frame in the world: position float64 [ngeom, 3], rotation matrix float64 [ngeom, 9] (row-major). */
export interface ScenePoses {
  positions: NDArray<'float64'>;
  rotations: NDArray<'float64'>;
}

export interface CloseRequest {
  session_id: string;
}
export type CloseResult = Record<string, never>;

/** Request type name -> [request body, result body]. */
export interface Messages {
  hello: [HelloRequest, HelloResult];
  list: [ListRequest, ListResult];
  make: [MakeRequest, MakeResult];
  reset: [ResetRequest, ResetResult];
  step: [StepRequest, StepResult];
  snapshot: [SnapshotRequest, SnapshotResult];
  restore: [RestoreRequest, RestoreResult];
  render: [RenderRequest, RenderResult];
  close: [CloseRequest, CloseResult];
}
export type RequestType = keyof Messages;
export const REQUEST_TYPES: readonly RequestType[] = [
  'hello',
  'list',
  'make',
  'reset',
  'step',
  'snapshot',
  'restore',
  'render',
  'close',
];

export interface RequestFrame<T extends RequestType = RequestType> {
  id: number;
  type: T;
  body: Messages[T][0];
}
export type ResponseFrame<T extends RequestType = RequestType> =
  | { id: number; ok: true; body: Messages[T][1] }
  /** `id` is null when the failed frame's id could not be read (undecodable or malformed frame). */
  | { id: number | null; ok: false; error: WireError };

/** Server-initiated keep-alive; the client answers with { type: 'pong', nonce }. Neither carries an id. */
export interface PingFrame {
  type: 'ping';
  nonce: number;
}
export interface PongFrame {
  type: 'pong';
  nonce: number;
}
