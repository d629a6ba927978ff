/**
 * Fuzzing before authentication: the frames of frames.ts (requests of every type, mutants, random bytes and values)
 * sent to a server started with a token, on connections that never complete hello. Each frame gets exactly one
 * typed error with the id the pre-hello decode budget predicts, or the close PROTOCOL.md prescribes (1009 for a
 * frame over `max_message_bytes_before_hello`, 1008 after UNAUTHORIZED, 4001 at the hello deadline), after which
 * the fuzzer reconnects. Nothing may ever succeed (no request is authorized without the token) and no answer may
 * be INTERNAL. Bounded by a frame count and a time limit.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { VinegymError, decodeFrame, encodeFrame, isPongFrame, parseRequestFrame, parseResponseFrame, type DecodeBudget } from '@vinegym/protocol';
import { frameBytes, quickMutants, type FramePools } from './frames.js';
import { MUTANTS_PER_FRAME, type FuzzReport } from './run.js';

/** PROTOCOL.md 9: the reference defaults before hello (both servers use them). */
export const BEFORE_HELLO = {
  maxMessageBytes: 8192,
  budget: {
    maxValues: 256,
    maxContainers: 16,
    maxDepth: 8,
    maxStringBytes: 4096,
    names: {
      values: 'max_frame_values_before_hello',
      containers: 'max_frame_containers_before_hello',
      depth: 'max_frame_depth_before_hello',
      stringBytes: 'max_string_bytes_before_hello',
    },
  } satisfies DecodeBudget,
};

/** Codes a frame may get before hello on a server with a token. */
const PRE_AUTH_CODES = new Set(['BAD_REQUEST', 'LIMIT_EXCEEDED', 'UNAUTHORIZED', 'UNSUPPORTED_VERSION']);
/** Closes a connection may get before hello (it is then reopened). */
const PRE_AUTH_CLOSES = new Set([1008, 1009, 4001]);

/** A hello with a made-up token. */
function tokenGuess(seed: number): Uint8Array {
  const token = `guess-${seed.toString(36)}`;
  const body = { protocol_versions: [1], client: { name: 'fuzz', version: '0' }, token };
  return encodeFrame({ id: seed % 2 ** 31, type: 'hello', body });
}

/** The id the server must answer with before hello ('none' for a pong). */
function expectedPreAuthId(bytes: Uint8Array): number | null | 'none' {
  try {
    const decoded = decodeFrame(bytes, BEFORE_HELLO.budget);
    if (isPongFrame(decoded)) return 'none';
    return parseRequestFrame(decoded).id;
  } catch (err) {
    if (err instanceof VinegymError) return err.requestId ?? null;
    throw err;
  }
}

/** One connection that has not said hello; answers arrive one at a time. */
class PendingConnection {
  readonly answers: Uint8Array[] = [];
  closedWith: number | null = null;
  private wake: (() => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.answers.push(new Uint8Array(data));
      this.wake?.();
    });
    ws.on('close', (code) => {
      this.closedWith = code;
      this.wake?.();
    });
  }

  static async open(url: string): Promise<PendingConnection> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 24 });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new PendingConnection(ws);
  }

  /** The next answer, or null once the connection closed. */
  async next(timeoutMs: number): Promise<Uint8Array | null> {
    const deadline = performance.now() + timeoutMs;
    while (this.answers.length === 0 && this.closedWith === null) {
      if (performance.now() > deadline) throw new Error('no answer and no close in time');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return this.answers.shift() ?? null;
  }
}

export async function fuzzPreAuth(options: { url: string; frames: number; seed: number; timeLimitMs: number; connections?: number }): Promise<FuzzReport> {
  const connections = options.connections ?? 4;
  const codes: Record<string, number> = {};
  const failures: string[] = [];
  const count = (key: string) => (codes[key] = (codes[key] ?? 0) + 1);
  const started = performance.now();
  const deadline = started + options.timeLimitMs;
  const perConnection = Math.ceil(options.frames / connections);
  let frames = 0;
  const pools: FramePools = { sessionIds: ['py-1', 'x'], snapshots: [] };

  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      let connection = await PendingConnection.open(options.url);
      let sent = 0;
      for (let b = 0; sent < perConnection && performance.now() < deadline && failures.length < 10; b++) {
        const n = Math.min(500, perConnection - sent);
        const sampled = fc.sample(frameBytes(pools), { numRuns: Math.ceil(n / (1 + MUTANTS_PER_FRAME)), seed: options.seed + 7919 * c + b });
        const generated = sampled.flatMap((f, i) => [f, ...quickMutants(f, options.seed + 31 * b + i, MUTANTS_PER_FRAME)]).slice(0, n);
        // Token guesses among them: well-formed hellos that must be refused (then back off) and closed.
        for (let i = 0; i < generated.length; i += 50) generated[i] = tokenGuess(options.seed + 1000 * c + b * 17 + i);
        for (const bytes of generated) {
          if (failures.length >= 10) break;
          if (connection.closedWith !== null) connection = await PendingConnection.open(options.url);
          sent++;
          frames++;
          const id = expectedPreAuthId(bytes);
          connection.ws.send(bytes, { binary: true });
          if (id === 'none') {
            count('no_response');
            continue;
          }
          const answer = await connection.next(30_000);
          if (answer === null) {
            const code = connection.closedWith!;
            const expected = bytes.length > BEFORE_HELLO.maxMessageBytes ? code === 1009 : code === 4001;
            if (!expected) failures.push(`connection ${c}: closed with ${code} on a ${bytes.length}-byte frame`);
            count(`close ${code}`);
            continue;
          }
          try {
            const response = parseResponseFrame(decodeFrame(answer));
            if ('type' in response) throw new Error('a ping before hello');
            if (response.ok) {
              failures.push(`connection ${c}: a request succeeded without the token (id ${response.id})`);
              continue;
            }
            if (response.id !== id) failures.push(`connection ${c}: id ${response.id}, expected ${id}`);
            if (!PRE_AUTH_CODES.has(response.error.code)) failures.push(`connection ${c}: ${response.error.code}`);
            count(response.error.code);
            if (response.error.code === 'UNAUTHORIZED' || (response.error.code === 'LIMIT_EXCEEDED' && response.error.details?.limit === 'max_connections')) {
              const closing = await connection.next(30_000); // nothing behind a refused hello is answered
              if (closing !== null || !PRE_AUTH_CLOSES.has(connection.closedWith!)) failures.push(`connection ${c}: no close after a refused hello`);
            }
          } catch (err) {
            failures.push(`connection ${c}: unparseable answer (${(err as Error).message})`);
          }
        }
      }
      connection.ws.close();
    }),
  );
  return { frames, seconds: (performance.now() - started) / 1000, codes, failures };
}
