/**
 * The one interface algorithms see: a batch of envs, backed either by the embedded in-process server or by a
 * remote server over WebSocket. It mirrors protocol v1 one to one.
 */
import type {
  AutoresetMode,
  InfoValue,
  MakeResult,
  NDArray,
  RenderResult,
  ResetResult,
  SpaceValue,
  StepResult,
} from '@vinegym/protocol';

export interface VectorEnvOptions {
  envId: string;
  numEnvs?: number;
  kwargs?: Record<string, number | boolean | string | null>;
  seed?: number | null;
  autoresetMode?: AutoresetMode;
  /**
   * Ask the server to reject Box actions outside the action space's bounds. Default: not sent, and the server's
   * default applies (current servers pass such actions to the env as Gymnasium does; earlier ones reject them).
   */
  strictActions?: boolean;
}

export interface ResetOptions {
  seed?: number | null;
  seeds?: (number | null)[];
  options?: Record<string, InfoValue>;
  envIndices?: number[];
}

export interface VectorEnv {
  /** What `make` returned: spaces, num_envs, autoreset mode, snapshot support, ... */
  readonly spec: MakeResult;
  readonly numEnvs: number;
  reset(options?: ResetOptions): Promise<ResetResult>;
  step(actions: SpaceValue): Promise<StepResult>;
  /** Throws a VinegymError with code NOT_SUPPORTED if the env has no snapshots. */
  snapshot(envIndices: number[]): Promise<Uint8Array[]>;
  restore(envIndex: number, snapshot: Uint8Array): Promise<void>;
  render(envIndex: number): Promise<NDArray<'uint8'>>;
  /**
   * Render modes `scene` (static scene + poses) and `poses` (PROTOCOL.md 7.8), for servers with the `render:scene`
   * capability; `spec.render_modes` says which an env answers. Draw them with `@vinegym/env-server/render`.
   */
  renderScene?(envIndex: number, mode: 'scene' | 'poses'): Promise<RenderResult>;
  close(): Promise<void>;
}
