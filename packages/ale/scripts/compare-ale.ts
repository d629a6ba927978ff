/**
 * Compares @vinegym/ale with ale-py frame by frame (screen palette indices, RAM, reward, lives, game over) under the
 * same seeded random action sequence (ALE frame_skip 1, no sticky actions).
 *
 *   npx tsx packages/ale/scripts/compare-ale.ts [--game pong] [--frames 2000] [--seed 0] [--all]
 */
import { readdirSync } from 'node:fs';
import { aleRomDir, compareGame } from './compare-lib.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const frames = Number(opt('frames', '2000'));
const seed = Number(opt('seed', '0'));
const romDir = aleRomDir();
const games = args.includes('--all')
  ? readdirSync(romDir)
      .filter((f) => f.endsWith('.bin'))
      .map((f) => f.slice(0, -4))
      .sort()
  : opt('game', 'pong').split(',');

let totalFrames = 0;
let totalMatched = 0;
let totalEmulation = 0;
for (const game of games) {
  try {
    const r = compareGame(game, frames, seed, romDir);
    totalFrames += r.frames;
    totalMatched += r.matchedPrefix;
    totalEmulation += r.emulationPrefix;
    const pct = ((100 * r.matchedPrefix) / r.frames).toFixed(1);
    console.log(
      `${game.padEnd(20)} exact prefix ${String(r.matchedPrefix).padStart(6)}/${r.frames} (${pct}%)  ` +
        `screen+RAM prefix ${String(r.emulationPrefix).padStart(6)}  ` +
        `screens ${r.screenMatches}/${r.frames}  ram ${r.ramMatches}/${r.frames}  ${r.ourFramesPerSecond.toFixed(0)} frames/s`,
    );
    if (r.firstMismatch && !args.includes('--quiet'))
      console.log(
        r.firstMismatch
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n'),
      );
  } catch (e) {
    console.log(`${game.padEnd(20)} ERROR ${(e as Error).message.split('\n')[0]}`);
  }
}
if (games.length > 1) {
  const pct = (n: number) => ((100 * n) / totalFrames).toFixed(1);
  console.log(
    `total exact-prefix frames ${totalMatched}/${totalFrames} (${pct(totalMatched)}%), screen+RAM prefix ${totalEmulation}/${totalFrames} (${pct(totalEmulation)}%)`,
  );
}
