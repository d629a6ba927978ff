/**
 * Frame-by-frame comparison of @vinegym/ale against ale-py (used by compare-ale.ts and the tests).
 * Requires the repo venv with ale-py (`pnpm test:setup`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AleEmulator } from '../src/ale/emulator.js';
import { gameFor } from '../src/ale/games/index.js';
import { Mt19937 } from '@vinegym/rng';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');
export const VENV_PYTHON = join(REPO_ROOT, '.venv/bin/python');

export function aleRomDir(): string {
  if (!existsSync(VENV_PYTHON)) {
    throw new Error(`No Python venv at ${VENV_PYTHON}: run \`pnpm test:setup\` to create it with ale-py`);
  }
  try {
    const dir = execFileSync(VENV_PYTHON, ['-c', 'import ale_py, os; print(os.path.dirname(ale_py.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return join(dir, 'roms');
  } catch {
    throw new Error('ale-py is not installed in the venv: run `pnpm test:setup`');
  }
}

export interface TraceFrame {
  screen: Uint8Array;
  ram: Uint8Array;
  reward: number;
  lives: number;
  gameOver: boolean;
}

export interface Trace {
  height: number;
  width: number;
  frames: TraceFrame[];
}

export function recordAleTrace(romPath: string, actions: number[], seed = 0, repeat = 0): Trace {
  const out = execFileSync(VENV_PYTHON, [join(here, 'ale_trace.py')], {
    input: JSON.stringify({ rom: romPath, seed, actions, repeat }),
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const buf = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (String.fromCharCode(...buf.subarray(0, 4)) !== 'ALET') throw new Error('bad trace header');
  const height = view.getUint32(4, true);
  const width = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const frames: TraceFrame[] = [];
  let p = 16;
  const screenSize = height * width;
  for (let i = 0; i < count; i++) {
    const screen = buf.subarray(p, p + screenSize);
    p += screenSize;
    const ram = buf.subarray(p, p + 128);
    p += 128;
    const reward = view.getInt32(p, true);
    const lives = view.getInt32(p + 4, true);
    const gameOver = buf[p + 8] === 1;
    p += 9;
    frames.push({ screen, ram, reward, lives, gameOver });
  }
  return { height, width, frames };
}

/** Random actions from the minimal set, each held 1-8 frames (seeded). */
export function randomActions(minimal: readonly number[], count: number, seed: number): number[] {
  const rng = new Mt19937(seed + 12345);
  const out: number[] = [];
  while (out.length < count) {
    const a = minimal[rng.next() % minimal.length]!;
    const hold = 1 + (rng.next() % 8);
    for (let i = 0; i < hold && out.length < count; i++) out.push(a);
  }
  return out;
}

export interface CompareResult {
  game: string;
  frames: number;
  /** Frames (including the post-reset frame 0) identical in screen, RAM, reward, lives, game-over before the first mismatch. */
  matchedPrefix: number;
  /** Frames identical in screen and RAM (emulation only, ignoring reward/lives/game over) before the first mismatch. */
  emulationPrefix: number;
  /** Frames whose screen matches (anywhere in the run). */
  screenMatches: number;
  ramMatches: number;
  firstMismatch: string | null;
  ourFramesPerSecond: number;
}

function describeMismatch(i: number, ours: TraceFrame, theirs: TraceFrame, width: number): string {
  const parts: string[] = [`frame ${i}:`];
  let diff = 0;
  let first = -1;
  for (let k = 0; k < theirs.screen.length; k++) {
    if (ours.screen[k] !== theirs.screen[k]) {
      diff++;
      if (first < 0) first = k;
    }
  }
  if (diff > 0) {
    const row = Math.floor(first / width);
    const col = first % width;
    const rowsDiff = new Set<number>();
    for (let k = 0; k < theirs.screen.length; k++)
      if (ours.screen[k] !== theirs.screen[k]) rowsDiff.add(Math.floor(k / width));
    parts.push(
      `screen differs in ${diff} pixels on ${rowsDiff.size} rows; first at row ${row} col ${col}: ours ${ours.screen[first]} ale ${theirs.screen[first]}`,
    );
    const rowSlice = (s: Uint8Array) =>
      Array.from(s.subarray(row * width, row * width + width))
        .map((v) => v.toString(16).padStart(2, '0'))
        .join('');
    parts.push(`  ours row ${row}: ${rowSlice(ours.screen)}`);
    parts.push(`  ale  row ${row}: ${rowSlice(theirs.screen)}`);
  }
  const ramDiffs: string[] = [];
  for (let k = 0; k < 128; k++) {
    if (ours.ram[k] !== theirs.ram[k])
      ramDiffs.push(`$${(0x80 + k).toString(16)}: ours ${ours.ram[k]} ale ${theirs.ram[k]}`);
  }
  if (ramDiffs.length > 0) parts.push(`RAM differs at ${ramDiffs.length} bytes: ${ramDiffs.slice(0, 8).join(', ')}`);
  if (ours.reward !== theirs.reward) parts.push(`reward ours ${ours.reward} ale ${theirs.reward}`);
  if (ours.lives !== theirs.lives) parts.push(`lives ours ${ours.lives} ale ${theirs.lives}`);
  if (ours.gameOver !== theirs.gameOver) parts.push(`game over ours ${ours.gameOver} ale ${theirs.gameOver}`);
  return parts.join('\n');
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Runs ale-py and our emulator with the same actions and compares every frame. */
export function compareGame(name: string, frames: number, seed = 0, romDir = aleRomDir()): CompareResult {
  const romPath = join(romDir, `${name}.bin`);
  const rom = new Uint8Array(readFileSync(romPath));
  const game = gameFor(name);
  const actions = randomActions(game.minimalActions, frames, seed);
  const trace = recordAleTrace(romPath, actions, seed, 0);
  const t0 = performance.now();
  const emu = new AleEmulator(rom, game, { randomSeed: seed, frameSkip: 1, repeatActionProbability: 0 });
  emu.reset();
  const ours: TraceFrame[] = [];
  const snap = (reward: number): TraceFrame => ({
    screen: emu.machine.screen().slice(),
    ram: emu.machine.ram(),
    reward,
    lives: emu.lives,
    gameOver: emu.isGameTerminal(),
  });
  ours.push(snap(0));
  for (const a of actions) ours.push(snap(emu.act(a)));
  const elapsed = (performance.now() - t0) / 1000;
  const totalFrames = emu.frameNumber + 60 + 4 * 4;
  let matchedPrefix = -1;
  let emulationPrefix = -1;
  let firstMismatch: string | null = null;
  let screenMatches = 0;
  let ramMatches = 0;
  for (let i = 0; i < trace.frames.length; i++) {
    const a = ours[i]!;
    const b = trace.frames[i]!;
    const sameScreen = equalBytes(a.screen, b.screen);
    const sameRam = equalBytes(a.ram, b.ram);
    if (sameScreen) screenMatches++;
    if (sameRam) ramMatches++;
    const same = sameScreen && sameRam && a.reward === b.reward && a.lives === b.lives && a.gameOver === b.gameOver;
    if (!(sameScreen && sameRam) && emulationPrefix < 0) emulationPrefix = i;
    if (!same && matchedPrefix < 0) {
      matchedPrefix = i;
      firstMismatch = describeMismatch(i, a, b, trace.width);
    }
  }
  if (matchedPrefix < 0) matchedPrefix = trace.frames.length;
  if (emulationPrefix < 0) emulationPrefix = trace.frames.length;
  return {
    game: name,
    frames: trace.frames.length,
    matchedPrefix,
    emulationPrefix,
    screenMatches,
    ramMatches,
    firstMismatch,
    ourFramesPerSecond: totalFrames / elapsed,
  };
}
