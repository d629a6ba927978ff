/**
 * Fuzz runs, shared by scripts/fuzz-server.ts (10^6 frames) and the test suite (a few thousand):
 *  - `fuzzDecoder`: a fast-check property over the server's decoding path (decodeFrame, isPongFrame,
 *    parseRequestFrame): every frame is accepted or rejected with a VinegymError, never another exception;
 *  - `fuzzLive`: the same frames sent to a live server over loopback WebSocket, pipelined in batches: every frame
 *    but a pong gets exactly one response, in order, with the id the decoder predicts, parseable, and no INTERNAL;
 *    the connection is never dropped. Both are bounded by a frame count and a time limit.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import {
  VinegymError,
  decodeFrame,
  encodeFrame,
  isPongFrame,
  parseRequestFrame,
  parseResponseFrame,
} from '@vinegym/protocol';
import type { DecodeBudget } from '@vinegym/protocol';
import { DEFAULT_LIMITS } from '@vinegym/env-server';
import { frameBytes, quickMutants, type FramePools } from './frames.js';

/** Cheap byte mutants sent along with each fast-check frame (see quickMutants). */
export const MUTANTS_PER_FRAME = 7;

export interface FuzzReport {
  frames: number;
  seconds: number;
  /** Responses (or decoder outcomes) by error code; 'ok' for successes, 'no_response' for pongs. */
  codes: Record<string, number>;
  /** Descriptions of violations (empty when the run passed). */
  failures: string[];
}

const count = (codes: Record<string, number>, key: string) => (codes[key] = (codes[key] ?? 0) + 1);

/** The server's decode budget after hello, with its default limits. */
export const BUDGET_AFTER_HELLO: DecodeBudget = {
  maxValues: DEFAULT_LIMITS.maxFrameValues,
  maxContainers: DEFAULT_LIMITS.maxFrameContainers,
  maxDepth: DEFAULT_LIMITS.maxFrameDepth,
  maxStringBytes: DEFAULT_LIMITS.maxStringBytes,
};

/** What the server must answer: the id it can read (null if none), or 'none' for a pong. */
export function expectedId(bytes: Uint8Array): number | null | 'none' {
  try {
    const decoded = decodeFrame(bytes, BUDGET_AFTER_HELLO);
    if (isPongFrame(decoded)) return 'none';
    return parseRequestFrame(decoded).id;
  } catch (err) {
    if (err instanceof VinegymError) return err.requestId ?? null;
    throw err;
  }
}

export interface DecoderFuzzOptions {
  frames: number;
  seed: number;
  timeLimitMs: number;
  /** The frames to try; default frameBytes (requests of every type and their mutations). */
  arbitrary?: fc.Arbitrary<Uint8Array>;
  /** The decode budget; default the server's after hello. */
  budget?: DecodeBudget;
}

export function fuzzDecoder(options: DecoderFuzzOptions): FuzzReport {
  const perRun = 1 + MUTANTS_PER_FRAME;
  const codes: Record<string, number> = {};
  const pools: FramePools = { sessionIds: ['AAAAAAAAAAAAAAAA', 'x'], snapshots: [] };
  const budget = options.budget ?? BUDGET_AFTER_HELLO;
  let frames = 0;
  const started = performance.now();
  const result = fc.check(
    fc.property(options.arbitrary ?? frameBytes(pools), fc.integer(), (frame, mutationSeed) => {
      for (const bytes of [frame, ...quickMutants(frame, mutationSeed, MUTANTS_PER_FRAME)]) {
        frames++;
        try {
          const decoded = decodeFrame(bytes, budget);
          if (isPongFrame(decoded)) count(codes, 'no_response');
          else {
            parseRequestFrame(decoded);
            count(codes, 'ok');
          }
        } catch (err) {
          if (!(err instanceof VinegymError)) throw err; // the property fails: an untyped exception
          count(codes, err.code);
        }
      }
    }),
    {
      numRuns: Math.ceil(options.frames / perRun),
      seed: options.seed,
      interruptAfterTimeLimit: options.timeLimitMs,
      markInterruptAsFailure: false,
    },
  );
  const failures = result.failed ? [fc.defaultReportMessage(result) ?? 'property failed'] : [];
  return { frames, seconds: (performance.now() - started) / 1000, codes, failures };
}

/** A raw connection that collects response frames in order (pings are answered and skipped). */
class RawClient {
  readonly frames: Uint8Array[] = [];
  closed: { code: number } | null = null;
  private wake: (() => void) | null = null;
  private nextId = 1 << 40; // far above the fuzzed ids, so the probes' responses are recognizable

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = decodeFrame(data) as { type?: string; nonce?: number };
      if (frame.type === 'ping') ws.send(encodeFrame({ type: 'pong', nonce: frame.nonce }), { binary: true });
      else this.frames.push(new Uint8Array(data));
      this.wake?.();
    });
    ws.on('close', (code) => {
      this.closed = { code };
      this.wake?.();
    });
  }

  static async open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const client = new RawClient(ws);
    const hello = await client.call('hello', { protocol_versions: [1], client: { name: 'fuzz', version: '0' } });
    if (!hello.ok) throw new Error('hello failed');
    return client;
  }

  /** Waits until `n` response frames have arrived (or the socket closed). */
  async until(n: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.frames.length < n && !this.closed) {
      if (performance.now() > deadline)
        throw new Error(`timed out waiting for response ${n} (have ${this.frames.length})`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  }

  async call(type: string, body: object): Promise<{ ok: boolean; body?: any; error?: { code: string } }> {
    const at = this.frames.length;
    this.ws.send(encodeFrame({ id: this.nextId++, type, body }), { binary: true });
    await this.until(at + 1, 30_000);
    return decodeFrame(this.frames[at]) as { ok: boolean; body?: any };
  }
}

/** Keeps two live CartPole sessions and a few snapshots for the generator to refer to. */
async function refreshPools(client: RawClient, pools: FramePools): Promise<void> {
  const alive: string[] = [];
  for (const id of pools.sessionIds) {
    const reset = await client.call('reset', { session_id: id });
    if (reset.ok) alive.push(id);
    else await client.call('close', { session_id: id });
  }
  while (alive.length < 2) {
    const made = await client.call('make', { env_id: 'CartPole-v1', num_envs: 3, seed: alive.length });
    if (!made.ok) break; // e.g. max_sessions reached through fuzzed makes: the fuzzed ids still exercise lookups
    alive.push(made.body.session_id);
    await client.call('reset', { session_id: made.body.session_id });
  }
  pools.sessionIds = alive;
  if (alive.length) {
    const snap = await client.call('snapshot', { session_id: alive[0], env_indices: [0, 1] });
    if (snap.ok) pools.snapshots = [...snap.body.snapshots, ...pools.snapshots].slice(0, 6);
  }
}

export interface LiveFuzzOptions {
  url: string;
  frames: number;
  seed: number;
  timeLimitMs: number;
  /** Frames pipelined per batch. Default 2000. */
  batch?: number;
  /** Parallel connections. Default 2. */
  connections?: number;
}

export async function fuzzLive(options: LiveFuzzOptions): Promise<FuzzReport> {
  const batch = options.batch ?? 2000;
  const connections = options.connections ?? 2;
  const codes: Record<string, number> = {};
  const failures: string[] = [];
  const started = performance.now();
  const deadline = started + options.timeLimitMs;
  let frames = 0;
  const perConnection = Math.ceil(options.frames / connections);

  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const client = await RawClient.open(options.url);
      const pools: FramePools = { sessionIds: [], snapshots: [] };
      let sent = 0;
      for (let b = 0; sent < perConnection && performance.now() < deadline && failures.length < 10; b++) {
        await refreshPools(client, pools);
        const n = Math.min(batch, perConnection - sent);
        const sampled = fc.sample(frameBytes(pools), {
          numRuns: Math.ceil(n / (1 + MUTANTS_PER_FRAME)),
          seed: options.seed + 7919 * c + b,
        });
        const generated = sampled
          .flatMap((f, i) => [f, ...quickMutants(f, options.seed + 31 * b + i, MUTANTS_PER_FRAME)])
          .slice(0, n);
        const expected: (number | null)[] = [];
        const at = client.frames.length;
        for (const [i, bytes] of generated.entries()) {
          if (i % 97 === 0) {
            client.ws.send('{"id": 1, "type": "list", "body": {}}'); // a text frame: BAD_REQUEST with id null
            expected.push(null);
          }
          const id = expectedId(bytes);
          client.ws.send(bytes, { binary: true });
          if (id === 'none') count(codes, 'no_response');
          else expected.push(id);
        }
        sent += n;
        frames += n;
        await client.until(at + expected.length, 60_000);
        if (client.closed) {
          failures.push(`connection ${c} closed by the server (code ${client.closed.code}) in batch ${b}`);
          break;
        }
        for (const [i, id] of expected.entries()) {
          const raw = client.frames[at + i];
          try {
            const response = parseResponseFrame(decodeFrame(raw));
            if ('type' in response) throw new Error('unexpected ping');
            if (response.id !== id) failures.push(`batch ${b} response ${i}: id ${response.id}, expected ${id}`);
            const code = response.ok ? 'ok' : response.error.code;
            if (code === 'INTERNAL') failures.push(`batch ${b} response ${i}: INTERNAL`);
            count(codes, code);
          } catch (err) {
            failures.push(`batch ${b} response ${i}: unparseable (${(err as Error).message})`);
          }
        }
        client.frames.length = 0; // responses are checked; keep memory flat
      }
      // The server still works normally after the barrage.
      if (!client.closed) {
        const list = await client.call('list', {});
        if (!list.ok) failures.push(`connection ${c}: list failed after fuzzing`);
        client.ws.close();
      }
    }),
  );
  return { frames, seconds: (performance.now() - started) / 1000, codes, failures };
}

export function formatReport(name: string, report: FuzzReport): string {
  const codes = Object.entries(report.codes)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  return (
    `${name}: ${report.frames} frames in ${report.seconds.toFixed(1)} s (${Math.round(report.frames / report.seconds)} frames/s), ` +
    `${report.failures.length} failures\n  outcomes: ${codes}` +
    (report.failures.length ? `\n  ${report.failures.slice(0, 10).join('\n  ')}` : '')
  );
}
