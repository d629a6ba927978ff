/**
 * What encoding a raw-Atari step response costs the server, copied into a reused buffer (`encodeFrameInto`, how step
 * responses were encoded before) or in pieces that reference the observation batch (`encodeFramePieces`, how the
 * server encodes them now): CPU microseconds per response of `--envs` envs' [210, 160, 3] frames, in alternating
 * rounds, best round of each.
 *
 *   tsx --conditions=source bench/step-encode.ts [--envs 8] [--responses 2000] [--rounds 5]
 */
import { loadavg } from 'node:os';
import { encodeFrameInto, encodeFramePieces, ndarray, type StepResult } from '@vinegym/protocol';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const numEnvs = Number(opt('envs', '8'));
const responses = Number(opt('responses', '2000'));
const rounds = Number(opt('rounds', '5'));

const observations = ndarray('uint8', [numEnvs, 210, 160, 3]);
observations.data.forEach((_, i, data) => (data[i] = (i * 7) & 0xff));
const body: StepResult = {
  observations,
  rewards: ndarray('float64', [numEnvs]),
  terminated: ndarray('bool', [numEnvs]),
  truncated: ndarray('bool', [numEnvs]),
  autoreset: ndarray('bool', [numEnvs]),
  infos: Array.from({ length: numEnvs }, () => ({ lives: 3, episode_frame_number: 400, frame_number: 1200 })),
};
const frame = { id: 1, ok: true, body };

let copyTarget: Uint8Array = new Uint8Array(0);
let piecesTarget: Uint8Array = new Uint8Array(0);
const ways: [string, () => number][] = [
  [
    'copied (encodeFrameInto)',
    () => {
      const bytes = encodeFrameInto(frame, copyTarget);
      copyTarget = new Uint8Array(bytes.buffer);
      return bytes.byteLength;
    },
  ],
  [
    'pieces (encodeFramePieces)',
    () => {
      const { byteLength, buffer } = encodeFramePieces(frame, piecesTarget, [observations.data]);
      piecesTarget = buffer;
      return byteLength;
    },
  ],
];

const best = new Map<string, number>();
let total = 0;
for (let round = 0; round < rounds; round++) {
  for (const [name, encode] of ways) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < responses; k++) total += encode();
    const c = process.cpuUsage(c0);
    best.set(name, Math.min(best.get(name) ?? Infinity, (c.user + c.system) / responses));
  }
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(
  `${numEnvs} envs, raw RGB step responses, best of ${rounds} rounds of ${responses}; load at the end: ${load()}`,
);
console.log('| encoding | CPU us per response | per env step |');
console.log('|---|---:|---:|');
for (const [name, us] of best) console.log(`| ${name} | ${us.toFixed(1)} | ${(us / numEnvs).toFixed(1)} |`);
if (total < 0) throw new Error('unreachable');
