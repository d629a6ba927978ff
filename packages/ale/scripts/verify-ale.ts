/**
 * Long verification runs against ale-py (streaming, constant memory). Prints one JSON line per game.
 *
 *   npx tsx packages/ale/scripts/verify-ale.ts --games pong,breakout --frames 20000 [--seed 0]
 *   npx tsx packages/ale/scripts/verify-ale.ts --all --frames 2000
 *   ... --blocks   our emulator runs with the block compiler (Machine option compileBlocks); without it the
 *                  interpreter alone, the emulator the recorded results were taken with
 *   ... --blocks --compile-after 8   compile a block after 8 arrivals (the default waits for hot code)
 */
import { readdirSync } from 'node:fs';
import { aleRomDir } from './compare-lib.js';
import { compareGameStreaming } from './compare-stream.js';
import { setCompileAfter } from '../src/cpu/blocks.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const frames = Number(opt('frames', '20000'));
const seed = Number(opt('seed', '0'));
const romDir = aleRomDir();
const machine = { compileBlocks: args.includes('--blocks') };
if (args.includes('--compile-after')) setCompileAfter(Number(opt('compile-after', '20000')));
const games = args.includes('--all')
  ? readdirSync(romDir)
      .filter((f) => f.endsWith('.bin'))
      .map((f) => f.slice(0, -4))
      .sort()
  : opt('games', 'pong').split(',');

for (const game of games) {
  try {
    const r = await compareGameStreaming(game, frames, seed, romDir, machine);
    console.log(JSON.stringify(r));
  } catch (e) {
    console.log(JSON.stringify({ game, error: (e as Error).message.split('\n')[0] }));
  }
}
