/**
 * Streaming frame-by-frame comparison with ale-py for long runs: ale_trace.py's output is parsed as it arrives and
 * every frame is compared at once, so memory stays constant (a 20,000-frame trace would be ~700 MB).
 * A frame is identical when the screen (every palette index), the RAM, the reward, the lives and the game-over
 * flag all match. Requires the repo venv with ale-py (`pnpm test:setup`).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AleEmulator } from '../src/ale/emulator.js';
import { gameFor } from '../src/ale/games/index.js';
import type { MachineOptions } from '../src/machine.js';
import { VENV_PYTHON, aleRomDir, randomActions } from './compare-lib.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface StreamCompareResult {
  game: string;
  /** Frames compared (frame 0 after reset, then one per action). */
  frames: number;
  /** Frames identical in screen, RAM, reward, lives and game over. */
  identical: number;
  /** Frames identical in screen and RAM (the emulation alone). */
  emulationIdentical: number;
  /** First frame that is not identical (-1: none). */
  firstMismatch: number;
  /** First frame whose screen or RAM differs (-1: none). */
  firstEmulationMismatch: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export async function compareGameStreaming(
  name: string,
  frames: number,
  seed = 0,
  romDir = aleRomDir(),
  machine: MachineOptions = {},
): Promise<StreamCompareResult> {
  const romPath = join(romDir, `${name}.bin`);
  const rom = new Uint8Array(readFileSync(romPath));
  const game = gameFor(name);
  const actions = randomActions(game.minimalActions, frames, seed);
  const emu = new AleEmulator(rom, game, { randomSeed: seed, frameSkip: 1, repeatActionProbability: 0, machine });
  emu.reset();

  const child = spawn(VENV_PYTHON, [join(here, 'ale_trace.py')], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.end(JSON.stringify({ rom: romPath, seed, actions, repeat: 0 }));

  const result: StreamCompareResult = {
    game: name,
    frames: 0,
    identical: 0,
    emulationIdentical: 0,
    firstMismatch: -1,
    firstEmulationMismatch: -1,
  };
  let pending: Buffer = Buffer.alloc(0);
  let recordSize = -1;
  let screenSize = 0;
  let reward = 0;
  const compareRecord = (rec: Buffer): void => {
    const i = result.frames;
    if (i > 0) reward = emu.act(actions[i - 1]!);
    const screen = new Uint8Array(rec.buffer, rec.byteOffset, screenSize);
    const ram = new Uint8Array(rec.buffer, rec.byteOffset + screenSize, 128);
    const tail = rec.byteOffset + screenSize + 128;
    const view = new DataView(rec.buffer, tail, 9);
    const sameEmulation = sameBytes(emu.machine.screen(), screen) && sameBytes(emu.machine.ram(), ram);
    const same =
      sameEmulation &&
      view.getInt32(0, true) === reward &&
      view.getInt32(4, true) === emu.lives &&
      (view.getUint8(8) === 1) === emu.isGameTerminal();
    if (sameEmulation) result.emulationIdentical++;
    else if (result.firstEmulationMismatch < 0) result.firstEmulationMismatch = i;
    if (same) result.identical++;
    else if (result.firstMismatch < 0) result.firstMismatch = i;
    result.frames++;
  };
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (recordSize < 0) {
      if (pending.length < 16) continue;
      if (pending.toString('latin1', 0, 4) !== 'ALET') throw new Error('bad trace header');
      screenSize = pending.readUInt32LE(4) * pending.readUInt32LE(8);
      recordSize = screenSize + 128 + 9;
      pending = pending.subarray(16);
    }
    let offset = 0;
    while (pending.length - offset >= recordSize) {
      compareRecord(Buffer.from(pending.subarray(offset, offset + recordSize)));
      offset += recordSize;
    }
    pending = pending.subarray(offset);
  }
  const code: number | null = await new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`ale_trace.py failed (exit ${code})`);
  return result;
}
