/**
 * `pnpm bench:ale`: two tables.
 *
 * Emulator: emulated frames per second of @vinegym/ale vs ale-py on the same ROMs in the same run (ALE
 * frame_skip 1, repeat_action_probability 0, uniformly random minimal-set actions, reset on game over). Both sides
 * are timed in CPU seconds of their own process (the fair measure on a shared machine) and in wall seconds. Each
 * game is timed on ale-py and then on ours right after, so that both see about the same machine load.
 *
 * Env level (bench/atari-env.ts): ALE/<Game>-v5 sessions of 8 and 16 envs on our server, embedded and over
 * loopback WebSocket, raw RGB and the paper's preprocessed observations, against gymnasium + ale-py's
 * SyncVectorEnv in the same run.
 *
 *   pnpm bench:ale [--games pong,breakout] [--frames 5000] [--warmup 300] [--seed 0]      both tables, all paper
 *                                                                                        games by default
 *   pnpm bench:ale --emulator-only --blocks   also times our emulator with compiled blocks (src/cpu/blocks.ts)
 *   pnpm bench:ale --emulator-only | --env-only [env-level flags, see bench/atari-env.ts]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AleEmulator } from '../src/ale/emulator.js';
import { gameFor } from '../src/ale/games/index.js';
import { findAleRomDir } from '../src/ale/roms.js';
import { Mt19937 } from '@vinegym/rng';

const PAPER_GAMES = ['pong', 'breakout', 'beam_rider', 'enduro', 'qbert', 'seaquest', 'space_invaders'];
const here = dirname(fileURLToPath(import.meta.url));
const python = join(here, '../../../.venv/bin/python');

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const games = opt('games', PAPER_GAMES.join(',')).split(',');
const frames = Number(opt('frames', '5000'));
const warmup = Number(opt('warmup', '300'));
const seed = Number(opt('seed', '0'));
const romDir = findAleRomDir();
/** Also time our emulator with the block compiler (Machine option compileBlocks). */
const withBlocks = args.includes('--blocks');
const listOpt = (name: string, def: string) => opt(name, def).split(',');

interface Timing {
  cpuSeconds: number;
  wallSeconds: number;
}

function benchOurs(game: string, compileBlocks = false): Timing {
  const rom = new Uint8Array(readFileSync(join(romDir, `${game}.bin`)));
  const info = gameFor(game);
  const emu = new AleEmulator(rom, info, {
    randomSeed: seed,
    frameSkip: 1,
    repeatActionProbability: 0,
    machine: { compileBlocks },
  });
  const actions = info.minimalActions;
  const rng = new Mt19937(seed);
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      emu.act(actions[rng.next() % actions.length]!);
      if (emu.isGameTerminal()) emu.reset();
    }
  };
  run(warmup);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  run(frames);
  const cpu = process.cpuUsage(c0);
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: (performance.now() - w0) / 1000 };
}

function benchAlePy(game: string): Timing {
  const out = execFileSync(python, [join(here, 'ale_bench.py')], {
    input: JSON.stringify({ roms: [join(romDir, `${game}.bin`)], frames, warmup, seed }),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  return JSON.parse(out) as Timing;
}

function emulatorTable(): void {
  const fps = (t: Timing, key: keyof Timing) => frames / t[key];
  const rows: string[][] = [];
  let ratioProduct = 1;
  let blocksProduct = 1;
  for (const game of games) {
    const theirs = benchAlePy(game);
    const ours = benchOurs(game);
    const ratio = fps(ours, 'cpuSeconds') / fps(theirs, 'cpuSeconds');
    ratioProduct *= ratio;
    const row = [
      game,
      fps(ours, 'cpuSeconds').toFixed(0),
      fps(theirs, 'cpuSeconds').toFixed(0),
      `${(100 * ratio).toFixed(0)}%`,
      fps(ours, 'wallSeconds').toFixed(0),
      fps(theirs, 'wallSeconds').toFixed(0),
    ];
    if (withBlocks) {
      const blocks = benchOurs(game, true);
      const blocksRatio = fps(blocks, 'cpuSeconds') / fps(theirs, 'cpuSeconds');
      blocksProduct *= blocksRatio;
      row.push(fps(blocks, 'cpuSeconds').toFixed(0), `${(100 * blocksRatio).toFixed(0)}%`);
    }
    rows.push(row);
  }
  const header = ['game', 'ours fps (cpu)', 'ale-py fps (cpu)', 'ours/ale-py', 'ours fps (wall)', 'ale-py fps (wall)'];
  if (withBlocks) header.push('blocks fps (cpu)', 'blocks/ale-py');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`${frames} frames per game after ${warmup} warm-up frames; frame_skip 1, repeat_action_probability 0`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(`geometric mean ours/ale-py (cpu): ${(100 * ratioProduct ** (1 / games.length)).toFixed(0)}%`);
  if (withBlocks) {
    console.log(`geometric mean blocks/ale-py (cpu): ${(100 * blocksProduct ** (1 / games.length)).toFixed(0)}%`);
  }
  // CPU-second ratios still move with the load (both cores are shared): report it with every run.
  console.log(
    `load average (1/5/15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

if (!args.includes('--env-only')) emulatorTable();
if (!args.includes('--emulator-only')) {
  // The env-level bench lives with the other cross-package benches: it needs the server and the client.
  const { runAtariEnvBench } = await import('../../../bench/atari-env.js');
  const reference = opt('reference', 'sync');
  if (reference !== 'sync' && reference !== 'ale') throw new Error(`--reference: sync or ale, not ${reference}`);
  await runAtariEnvBench({
    games,
    envs: listOpt('envs', '8,16').map(Number),
    steps: Number(opt('steps', '4000')),
    rounds: Number(opt('rounds', '3')),
    workers: listOpt('workers', '0,2').map(Number),
    transports: listOpt('transports', 'embedded,ws') as Parameters<typeof runAtariEnvBench>[0]['transports'],
    obs: listOpt('obs', 'raw,paper') as ('raw' | 'paper')[],
    emulators: listOpt('emulators', 'blocks') as ('interpreter' | 'blocks')[],
    reference,
  });
}
