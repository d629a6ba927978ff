/**
 * A RemoteVectorEnv that survives its server going away. Any call on a lost connection (closed, refused, reset,
 * or no answer within `requestTimeoutMs`) drops the session and throws EnvInterruptedError; `recover()` then
 * reconnects with exponential backoff and jitter and makes a new session with the same spec. The caller (a
 * sampler) resets the envs and re-collects its batch: env state does not survive an interruption.
 */
import type { NDArray, RenderResult, ResetResult, SpaceValue, StepResult } from '@vinegym/protocol';
import { EnvInterruptedError, type RecoverableVectorEnv } from '../env/interruption.js';
import type { ResetOptions, VectorEnvOptions } from '../env/vector-env.js';
import { ConnectionError, type ConnectionOptions } from './connection.js';
import { RemoteVectorEnv } from './remote-vector-env.js';

export interface ReconnectOptions {
  /** Connection attempts per `recover()` (and for the first connect). Default 5. */
  maxAttempts?: number;
  /** Delay before the second attempt in ms; doubles per attempt. Default 200. */
  baseDelayMs?: number;
  /** Largest delay between attempts in ms. Default 5000. */
  maxDelayMs?: number;
  /** A request unanswered for this long counts as a lost connection. Default 120000. */
  requestTimeoutMs?: number;
  /** Source of jitter in [0, 1); each delay is scaled by 0.5 + random() / 2. Default Math.random. */
  random?: () => number;
  /** Called before each wait, for logs. Default: nothing. */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; error: unknown }) => void;
}

type Options = VectorEnvOptions & ConnectionOptions;

/** How long `release` waits for the server to confirm the session's close before dropping the connection. */
const RELEASE_TIMEOUT_MS = 2000;

export class ResilientVectorEnv implements RecoverableVectorEnv {
  private inner: RemoteVectorEnv | null;
  private closed = false;
  /** Successful reconnections so far. */
  reconnects = 0;
  private readonly retry: Required<Omit<ReconnectOptions, 'onRetry'>> & Pick<ReconnectOptions, 'onRetry'>;

  private constructor(
    readonly url: string,
    private readonly options: Options,
    retry: ReconnectOptions,
    first: RemoteVectorEnv,
  ) {
    this.inner = first;
    this.lastSpec = first.spec;
    this.retry = {
      maxAttempts: retry.maxAttempts ?? 5,
      baseDelayMs: retry.baseDelayMs ?? 200,
      maxDelayMs: retry.maxDelayMs ?? 5000,
      requestTimeoutMs: retry.requestTimeoutMs ?? 120_000,
      random: retry.random ?? Math.random,
      onRetry: retry.onRetry,
    };
  }

  private lastSpec: RemoteVectorEnv['spec'];

  /** Connects (retrying like `recover`) and makes the session; throws the last error if every attempt fails. */
  static async connect(url: string, options: Options & { reconnect?: ReconnectOptions }): Promise<ResilientVectorEnv> {
    const { reconnect = {}, ...rest } = options;
    const first = await withBackoff(url, reconnect, () => RemoteVectorEnv.connect(url, rest));
    if (first === null) throw new Error('unreachable');
    return new ResilientVectorEnv(url, rest, reconnect, first);
  }

  /** The session's spec (the current session's id; spaces and num_envs never change). */
  get spec(): RemoteVectorEnv['spec'] {
    return this.inner?.spec ?? this.lastSpec;
  }

  get numEnvs(): number {
    return this.lastSpec.num_envs;
  }

  get available(): boolean {
    return this.inner !== null;
  }

  async recover(maxAttempts: number = this.retry.maxAttempts): Promise<boolean> {
    if (this.closed) throw new Error('the env is closed');
    if (this.inner) return true;
    let env: RemoteVectorEnv | null;
    try {
      env = await withBackoff(this.url, { ...this.retry, maxAttempts }, () =>
        RemoteVectorEnv.connect(this.url, this.options),
      );
    } catch {
      return false;
    }
    if (env === null) return false;
    if (!sameSpaces(env.spec, this.lastSpec)) {
      await env.close();
      throw new Error(`the server at ${this.url} now serves ${env.spec.env_id} with other spaces; cannot resume on it`);
    }
    this.inner = env;
    this.lastSpec = env.spec;
    this.reconnects++;
    return true;
  }

  reset(options?: ResetOptions): Promise<ResetResult> {
    return this.call((env) => env.reset(options));
  }

  step(actions: SpaceValue): Promise<StepResult> {
    return this.call((env) => env.step(actions));
  }

  snapshot(envIndices: number[]): Promise<Uint8Array[]> {
    return this.call((env) => env.snapshot(envIndices));
  }

  restore(envIndex: number, snapshot: Uint8Array): Promise<void> {
    return this.call((env) => env.restore(envIndex, snapshot));
  }

  render(envIndex: number): Promise<NDArray<'uint8'>> {
    return this.call((env) => env.render(envIndex));
  }

  renderScene(envIndex: number, mode: 'scene' | 'poses'): Promise<RenderResult> {
    return this.call((env) => env.renderScene(envIndex, mode));
  }

  /**
   * Closes the session and its connection but stays recoverable: for a server that should no longer be used for
   * now (discovery no longer lists it) and may still be draining its clients.
   */
  async release(): Promise<void> {
    const env = this.inner;
    this.inner = null;
    if (env === null) return;
    // Politely (the server frees the session at once), but a server that no longer answers must not hold us up.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      env.close().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, RELEASE_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    env.connection.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    const env = this.inner;
    this.inner = null;
    await env?.close();
  }

  /** Runs one request; a lost connection (or a timeout) drops the session and becomes EnvInterruptedError. */
  private async call<T>(request: (env: RemoteVectorEnv) => Promise<T>): Promise<T> {
    const env = this.inner;
    if (env === null) {
      throw new EnvInterruptedError(
        `no session on ${this.url}${this.closed ? ' (closed)' : ''}: recover() first`,
        this.url,
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new ConnectionError(`no answer from ${this.url} within ${this.retry.requestTimeoutMs} ms`, this.url)),
        this.retry.requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([request(env), timeout]);
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      if (this.inner === env) {
        this.inner = null;
        env.connection.terminate();
      }
      throw new EnvInterruptedError(`lost the session on ${this.url}: ${err.message}`, this.url, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Tries `attempt` up to maxAttempts times, waiting baseDelay·2^k (capped, with jitter) between tries. Returns the
 * result, or throws the last error. Only connection-level failures are worth retrying, but a server that is coming
 * up can also answer with anything (e.g. LIMIT_EXCEEDED for max_connections), so every error is retried.
 */
async function withBackoff<T>(url: string, options: ReconnectOptions, attempt: () => Promise<T>): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5000;
  const random = options.random ?? Math.random;
  let lastError: unknown;
  for (let k = 0; k < maxAttempts; k++) {
    if (k > 0) {
      const delayMs = Math.min(cap, base * 2 ** (k - 1)) * (0.5 + random() / 2);
      options.onRetry?.({ url, attempt: k + 1, delayMs, error: lastError });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    try {
      return await attempt();
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

function sameSpaces(a: RemoteVectorEnv['spec'], b: RemoteVectorEnv['spec']): boolean {
  const key = (s: RemoteVectorEnv['spec']) =>
    JSON.stringify(
      [s.env_id, s.num_envs, s.autoreset_mode, s.single_observation_space, s.single_action_space],
      (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>, String) : v),
    );
  return key(a) === key(b);
}
