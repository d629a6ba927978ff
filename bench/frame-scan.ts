/**
 * pnpm bench:frame-scan — what the header scan (decode budget, PROTOCOL.md 9.1) adds to decoding, on the frames of
 * the hot path: step requests and responses of 1, 16 and 256 CartPole envs, a MuJoCo-like step response with infos,
 * a reset with options. For each frame, in this one run: ns per scanFrame, ns per decodeFrame (scan included), and
 * the scan's share of the decode. Rounds alternate between the two so that load on the machine hits both alike.
 */
import { decodeFrame, encodeFrame, ndarray, scanFrame } from '@vinegym/protocol';
import type { DecodeBudget } from '@vinegym/protocol';
import { DEFAULT_LIMITS } from '@vinegym/env-server';
import { median } from './stats.js';

const budget: DecodeBudget = {
  maxValues: DEFAULT_LIMITS.maxFrameValues,
  maxContainers: DEFAULT_LIMITS.maxFrameContainers,
  maxDepth: DEFAULT_LIMITS.maxFrameDepth,
  maxStringBytes: DEFAULT_LIMITS.maxStringBytes,
};

function stepRequest(n: number): Uint8Array {
  return encodeFrame({
    id: 123456,
    type: 'step',
    body: { session_id: 'AbCdEfGhIjKlMnOp', actions: ndarray('int64', [n], new Array(n).fill(1)) },
  }).slice();
}

function stepResponse(n: number, info: (i: number) => Record<string, number>): Uint8Array {
  return encodeFrame({
    id: 123456,
    ok: true,
    body: {
      observations: ndarray('float32', [n, 4], new Array(n * 4).fill(0.25)),
      rewards: ndarray('float64', [n], new Array(n).fill(1)),
      terminated: ndarray('bool', [n], new Array(n).fill(0)),
      truncated: ndarray('bool', [n], new Array(n).fill(0)),
      autoreset: ndarray('bool', [n], new Array(n).fill(0)),
      infos: Array.from({ length: n }, (_, i) => info(i)),
    },
  }).slice();
}

const mujocoInfo = (i: number) => ({
  x_position: 0.1 * i,
  x_velocity: 1.5,
  reward_forward: 1.25,
  reward_ctrl: -0.05,
  reward_survive: 1,
  z_distance_from_origin: 0.02,
});

const FRAMES: [string, Uint8Array][] = [
  ['step request, 1 env', stepRequest(1)],
  ['step request, 256 envs', stepRequest(256)],
  ['step response, 1 env, no infos', stepResponse(1, () => ({}))],
  ['step response, 16 envs, no infos', stepResponse(16, () => ({}))],
  ['step response, 256 envs, 6 info values each', stepResponse(256, mujocoInfo)],
  [
    'reset request with options',
    encodeFrame({
      id: 7,
      type: 'reset',
      body: { session_id: 'AbCdEfGhIjKlMnOp', seed: 42, options: { low: -0.05, high: 0.05, init: [0.1, 0.2, 0.3] } },
    }).slice(),
  ],
];

const ROUNDS = 10;
const TARGET_MS = Number(process.env.BENCH_MS ?? 150);

/** ns per call of `run(bytes)`, timed over about TARGET_MS. */
function nsPerCall(run: (bytes: Uint8Array) => unknown, bytes: Uint8Array): number {
  let calls = 0;
  const started = process.hrtime.bigint();
  const until = started + BigInt(TARGET_MS * 1e6);
  let now = started;
  while (now < until) {
    for (let k = 0; k < 64; k++) run(bytes);
    calls += 64;
    now = process.hrtime.bigint();
  }
  return Number(now - started) / calls;
}

console.log(
  `vinegym bench:frame-scan — ${ROUNDS} alternating rounds of ~${TARGET_MS} ms each, node ${process.version}`,
);
console.log('| frame | bytes | scanFrame ns | decodeFrame ns (with scan) | scan share |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, bytes] of FRAMES) {
  for (let k = 0; k < 2000; k++) decodeFrame(bytes, budget); // warm-up: JIT
  const scans: number[] = [];
  const decodes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    scans.push(nsPerCall((b) => scanFrame(b, budget), bytes));
    decodes.push(nsPerCall((b) => decodeFrame(b, budget), bytes));
  }
  const scan = median(scans);
  const decode = median(decodes);
  console.log(
    `| ${name} | ${bytes.length} | ${scan.toFixed(0)} | ${decode.toFixed(0)} | ${((100 * scan) / decode).toFixed(1)} % |`,
  );
}
