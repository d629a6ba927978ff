/**
 * The legitimate client of an adversarial test, in its own process so that the attacker's work in the test process
 * does not distort its clock: it holds the token, makes a one-env session and steps it in a closed loop, timing each
 * step. Started by latency-probe.ts with `<url> <token> <envId>`; prints `ready`, then on `stop` (stdin) one JSON
 * line with its latency summary, and exits.
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, ndarray } from '@vinegym/protocol';

const [url, token, envId] = process.argv.slice(2);
/** A step slower than this counts as lost (the server stalled or dropped it). */
const STEP_TIMEOUT_MS = 10_000;

const ws = new WebSocket(url, { perMessageDeflate: false });
let closeCode: number | null = null;
let waiter: ((frame: Record<string, any>) => void) | null = null;
ws.on('message', (data: Buffer) => {
  const frame = decodeFrame(data) as Record<string, any>;
  if (frame.type === 'ping') {
    ws.send(encodeFrame({ type: 'pong', nonce: frame.nonce }));
    return;
  }
  const wake = waiter;
  waiter = null;
  wake?.(frame);
});
ws.on('close', (code) => {
  closeCode = code;
  waiter?.({ ok: false, error: { code: `closed ${code}` } });
});
ws.on('error', () => undefined);

let nextId = 1;
function call(type: string, body: object): Promise<Record<string, any>> {
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiter = null;
      resolve({ ok: false, error: { code: 'timeout' } });
    }, STEP_TIMEOUT_MS);
    waiter = (frame) => {
      clearTimeout(timer);
      resolve(frame.id === id || frame.ok === false ? frame : { ok: false, error: { code: `wrong id ${String(frame.id)}` } });
    };
    ws.send(encodeFrame({ id, type, body }), { binary: true });
  });
}

await new Promise<void>((resolve, reject) => {
  ws.once('open', () => resolve());
  ws.once('error', reject);
});
const hello = await call('hello', { protocol_versions: [1], client: { name: 'adversarial-legit', version: '0' }, token });
if (!hello.ok) throw new Error(`hello failed: ${JSON.stringify(hello.error)}`);
const made = await call('make', { env_id: envId, num_envs: 1, seed: 0 });
if (!made.ok) throw new Error(`make failed: ${JSON.stringify(made.error)}`);
const sessionId = made.body.session_id as string;
await call('reset', { session_id: sessionId });
const actions = [0, 1].map((a) => ndarray('int64', [1], [a]));

let stopping = false;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stop') stopping = true;
});
process.stdout.write('ready\n');

const latencies: number[] = [];
const errors: Record<string, number> = {};
for (let k = 0; !stopping && closeCode === null; k++) {
  const started = performance.now();
  const answer = await call('step', { session_id: sessionId, actions: actions[k & 1] });
  latencies.push(performance.now() - started);
  if (!answer.ok) errors[answer.error.code] = (errors[answer.error.code] ?? 0) + 1;
  // Yield to the event loop now and then, so that the stop line is read even when steps answer at once.
  if ((k & 63) === 63) await new Promise((resolve) => setImmediate(resolve));
}
latencies.sort((a, b) => a - b);
const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
process.stdout.write(
  `${JSON.stringify({ steps: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies.at(-1) ?? NaN, errors, closeCode })}\n`,
);
ws.close();
process.exit(0);
