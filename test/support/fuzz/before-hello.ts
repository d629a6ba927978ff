/**
 * Fuzzing of what a peer without the token can send (PROTOCOL.md 6, 9): frames before any successful hello, against
 * a server started with a token. Besides the request frames of frames.ts it sends hellos with fuzzed tokens and
 * versions, frames that stress the decode budget before hello (many values, deep nesting, long strings) and frames
 * over the message limit before hello.
 *
 * Outcomes are predicted from the spec: a frame over the limit closes the connection (1009); one over the budget,
 * malformed or not a request gets an error with the id it could read; a pong gets nothing; a non-hello request is
 * BAD_REQUEST; a hello without version 1 is UNSUPPORTED_VERSION; any other hello is refused (UNAUTHORIZED, then close
 * 1008). Frames that end a connection are sent last on it, so every connection carries a batch of pipelined frames.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { VinegymError, decodeFrame, isPongFrame, parseRequestFrame, parseResponseFrame } from '@vinegym/protocol';
import type { DecodeBudget } from '@vinegym/protocol';
import { DEFAULT_LIMITS } from '@vinegym/env-server';
import { anyWire, frameBytes, pack, quickMutants, type Wire } from './frames.js';
import { MUTANTS_PER_FRAME, type FuzzReport } from './run.js';

export const BUDGET_BEFORE_HELLO: DecodeBudget = {
  maxValues: DEFAULT_LIMITS.maxFrameValuesBeforeHello,
  maxContainers: DEFAULT_LIMITS.maxFrameContainersBeforeHello,
  maxDepth: DEFAULT_LIMITS.maxFrameDepthBeforeHello,
  maxStringBytes: DEFAULT_LIMITS.maxStringBytesBeforeHello,
};

export type Outcome =
  | { kind: 'response'; id: number | null }
  | { kind: 'none' }
  /** Answered (UNAUTHORIZED), then the connection closes with 1008. */
  | { kind: 'refused'; id: number }
  /** No answer: the connection closes with 1009. */
  | { kind: 'too_big' };

/** What a server with a token must do with `bytes` arriving before hello (default limits). */
export function expectedBeforeHello(bytes: Uint8Array): Outcome {
  if (bytes.length > DEFAULT_LIMITS.maxMessageBytesBeforeHello) return { kind: 'too_big' };
  let decoded: unknown;
  try {
    decoded = decodeFrame(bytes, BUDGET_BEFORE_HELLO);
    if (isPongFrame(decoded)) return { kind: 'none' };
    const frame = parseRequestFrame(decoded);
    if (frame.type !== 'hello') return { kind: 'response', id: frame.id };
    const versions = (frame.body as { protocol_versions: number[] }).protocol_versions;
    return versions.includes(1) ? { kind: 'refused', id: frame.id } : { kind: 'response', id: frame.id };
  } catch (err) {
    if (err instanceof VinegymError) return { kind: 'response', id: err.requestId ?? null };
    throw err;
  }
}

const hello = fc.record({
  id: fc.integer({ min: 0, max: 2 ** 31 }),
  type: fc.constant<Wire>('hello'),
  body: fc.record({
    protocol_versions: fc.oneof(fc.constant([1]), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 })),
    client: fc.oneof(fc.constant<Wire>({ name: 'fuzz', version: '0' }), anyWire),
    token: fc.oneof(fc.string({ maxLength: 64 }), fc.string({ minLength: 1000, maxLength: 5000 }), anyWire),
  }),
}) as fc.Arbitrary<Wire>;

/** Frames that stress the decode budget before hello, and a few over the message limit. */
const budgetStress: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .integer({ min: 200, max: 2000 })
    .map((n) => pack({ id: 1, type: 'hello', body: { protocol_versions: new Array(n).fill(1) } })),
  fc
    .integer({ min: 10, max: 40 })
    .map((n) => pack({ id: 2, type: 'list', body: { x: new Array(n).fill(0).map(() => ({})) } })),
  fc.integer({ min: 4, max: 60 }).map((depth) => {
    let v: Wire = 1;
    for (let d = 0; d < depth; d++) v = [v];
    return pack({ id: 3, type: 'list', body: { x: v } });
  }),
  fc
    .integer({ min: 1000, max: 7000 })
    .map((n) =>
      pack({ id: 4, type: 'hello', body: { protocol_versions: [1], client: { name: 'x'.repeat(n), version: '0' } } }),
    ),
  fc.integer({ min: 8193, max: 12_000 }).map((n) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0xc4 : 0))),
);

export function beforeHelloFrames(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 6, arbitrary: frameBytes({ sessionIds: [], snapshots: [] }) },
    { weight: 3, arbitrary: hello.map((f) => pack(f)) },
    { weight: 2, arbitrary: budgetStress },
  );
}

export interface BeforeHelloFuzzOptions {
  url: string;
  frames: number;
  seed: number;
  timeLimitMs: number;
  /** Frames per connection. Default 400. */
  batch?: number;
  /** Parallel connections. Default 2. */
  connections?: number;
}

const count = (codes: Record<string, number>, key: string) => (codes[key] = (codes[key] ?? 0) + 1);

/** A connection that has not said hello: frames in arrival order, and how it closed. */
async function openRaw(url: string): Promise<{ ws: WebSocket; frames: Buffer[]; closed: Promise<number> }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const frames: Buffer[] = [];
  ws.on('message', (data: Buffer) => frames.push(data));
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, frames, closed };
}

export async function fuzzBeforeHello(options: BeforeHelloFuzzOptions): Promise<FuzzReport> {
  const batch = options.batch ?? 400;
  const connections = options.connections ?? 2;
  const codes: Record<string, number> = {};
  const failures: string[] = [];
  const started = performance.now();
  const deadline = started + options.timeLimitMs;
  let frames = 0;
  const perConnection = Math.ceil(options.frames / connections);

  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      let sent = 0;
      for (let b = 0; sent < perConnection && performance.now() < deadline && failures.length < 10; b++) {
        const sampled = fc.sample(beforeHelloFrames(), {
          numRuns: Math.ceil(batch / (1 + MUTANTS_PER_FRAME)),
          seed: options.seed + 7919 * c + b,
        });
        const generated = sampled
          .flatMap((f, i) => [f, ...quickMutants(f, options.seed + 31 * b + i, MUTANTS_PER_FRAME)])
          .slice(0, Math.min(batch, perConnection - sent));
        const outcomes = generated.map(expectedBeforeHello);
        // Frames that end the connection go last, one per connection.
        const order = generated
          .map((_, i) => i)
          .filter((i) => outcomes[i].kind === 'response' || outcomes[i].kind === 'none');
        const ender = generated.findIndex((_, i) => outcomes[i].kind === 'refused' || outcomes[i].kind === 'too_big');
        if (ender >= 0) order.push(ender);
        const raw = await openRaw(options.url);
        const expectedIds: (number | null)[] = [];
        for (const [k, i] of order.entries()) {
          if (k % 97 === 0 && outcomes[i].kind !== 'too_big') {
            raw.ws.send('{"id": 1}'); // a text frame: BAD_REQUEST with id null
            expectedIds.push(null);
          }
          raw.ws.send(generated[i], { binary: true });
          const outcome = outcomes[i];
          if (outcome.kind === 'none') count(codes, 'no_response');
          else if (outcome.kind === 'response' || outcome.kind === 'refused') expectedIds.push(outcome.id);
          else count(codes, 'closed_1009');
        }
        sent += order.length;
        frames += order.length;
        const endsWith = ender >= 0 ? outcomes[ender].kind : null;
        const closeCode = await Promise.race([
          raw.closed,
          (async () => {
            const until = performance.now() + 60_000;
            while (raw.frames.length < expectedIds.length && performance.now() < until)
              await new Promise((resolve) => setTimeout(resolve, 5));
            return endsWith === null ? -1 : raw.closed;
          })(),
        ]);
        if (raw.frames.length !== expectedIds.length) {
          failures.push(
            `connection ${c} batch ${b}: ${raw.frames.length} responses, expected ${expectedIds.length} (closed ${closeCode})`,
          );
        }
        const expectedClose = endsWith === 'refused' ? 1008 : endsWith === 'too_big' ? 1009 : -1;
        if (closeCode !== expectedClose)
          failures.push(
            `connection ${c} batch ${b}: close ${closeCode}, expected ${expectedClose === -1 ? 'none' : expectedClose}`,
          );
        if (expectedClose !== -1) count(codes, `closed_${expectedClose}`);
        for (const [k, data] of raw.frames.entries()) {
          try {
            const response = parseResponseFrame(decodeFrame(data));
            if ('type' in response) throw new Error('a ping before hello');
            if (response.id !== expectedIds[k])
              failures.push(`batch ${b} response ${k}: id ${response.id}, expected ${expectedIds[k]}`);
            const code = response.ok ? 'ok' : response.error.code;
            if (code === 'INTERNAL' || code === 'ok') failures.push(`batch ${b} response ${k}: ${code} before hello`);
            count(codes, code);
          } catch (err) {
            failures.push(`batch ${b} response ${k}: unparseable (${(err as Error).message})`);
          }
        }
        if (raw.ws.readyState === WebSocket.OPEN) raw.ws.terminate();
      }
    }),
  );
  return { frames, seconds: (performance.now() - started) / 1000, codes, failures };
}
