/**
 * The legitimate client of an adversarial test, in its own process so that the attacker's work in the test process
 * does not distort its clock: it holds the token, makes a one-env session and steps it in a closed loop, timing each
 * step. Started by latency-probe.ts with `<url> <token> <envId>`; prints `ready`, then answers lines on stdin:
 * `mark` forgets the steps so far, `report` prints one JSON line summarizing the steps since the mark, `stop` does
 * the same and exits.
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
      resolve(
        frame.id === id || frame.ok === false ? frame : { ok: false, error: { code: `wrong id ${String(frame.id)}` } },
      );
    };
    ws.send(encodeFrame({ id, type, body }), { binary: true });
  });
}

await new Promise<void>((resolve, reject) => {
  ws.once('open', () => resolve());
  ws.once('error', reject);
});
const hello = await call('hello', {
  protocol_versions: [1],
  client: { name: 'adversarial-legit', version: '0' },
  token,
});
if (!hello.ok) throw new Error(`hello failed: ${JSON.stringify(hello.error)}`);
const made = await call('make', { env_id: envId, num_envs: 1, seed: 0 });
if (!made.ok) throw new Error(`make failed: ${JSON.stringify(made.error)}`);
const sessionId = made.body.session_id as string;
await call('reset', { session_id: sessionId });
const actions = [0, 1].map((a) => ndarray('int64', [1], [a]));

let latencies: number[] = [];
let errors: Record<string, number> = {};
let stopping = false;

function report(): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  process.stdout.write(
    `${JSON.stringify({ steps: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? NaN, errors, closeCode })}\n`,
  );
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'mark') {
    latencies = [];
    errors = {};
    process.stdout.write('marked\n');
  } else if (command === 'report') report();
  else if (command === 'stop') stopping = true;
});
process.stdout.write('ready\n');

for (let k = 0; !stopping && closeCode === null; k++) {
  const started = performance.now();
  const answer = await call('step', { session_id: sessionId, actions: actions[k & 1] });
  latencies.push(performance.now() - started);
  if (!answer.ok) errors[answer.error.code] = (errors[answer.error.code] ?? 0) + 1;
  // Yield to the event loop now and then, so that commands are read even when steps answer at once.
  if ((k & 63) === 63) await new Promise((resolve) => setImmediate(resolve));
}
// Disconnected: keep answering commands (the reports show closeCode) until told to stop.
while (!stopping) await new Promise((resolve) => setTimeout(resolve, 20));
report();
ws.close();
process.exit(0);
