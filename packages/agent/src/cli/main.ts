#!/usr/bin/env node
/** `vinegym <command>`: train, eval, plot, compare. Errors print one clear line (and the stack with VINEGYM_DEBUG=1). */
import { parseArgs } from 'node:util';
import { evaluate } from '../eval/evaluate.js';
import { compareCommand } from './compare-command.js';
import { DASHBOARD_USAGE, dashboardCommand } from './dashboard-command.js';
import { trainCommand, trainHelp } from './train-command.js';

const HELP = `Usage: vinegym <command> [options]

Commands:
  train   train TRPO / NPG / VPG / CEM / RWR on an env (embedded server by default)   vinegym train --help
  eval    evaluate the policy of a run directory                       vinegym eval --run <dir> [--episodes 10] [--frames <dir>] [--video out.mp4|.webm|.gif] [--fps 30] [--server <url>]
  plot    learning curves of runs, mean ± std across seeds             vinegym plot <run dirs...> -o curves.png|.svg [--x env_steps|iteration] [--y <metric>]
  compare algorithms × seeds in parallel, with plot and table          vinegym compare --help
  dashboard  live learning curves and evaluation videos in the browser  ${DASHBOARD_USAGE}
`;

async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      run: { type: 'string' },
      episodes: { type: 'string', default: '10' },
      frames: { type: 'string' },
      video: { type: 'string' },
      fps: { type: 'string' },
      server: { type: 'string', multiple: true },
      token: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (!values.run) throw new Error('eval needs --run <run dir>');
  const { iteration, results, videoFrames } = await evaluate({
    runDir: values.run,
    episodes: Number(values.episodes),
    framesDir: values.frames,
    videoPath: values.video,
    fps: values.fps === undefined ? undefined : Number(values.fps),
    servers: values.server,
    token: values.token ?? process.env.VINEGYM_TOKEN,
    seed: values.seed === undefined ? undefined : Number(values.seed),
  });
  console.log(`checkpoint of iteration ${iteration}`);
  for (const r of results) {
    console.log(
      `${r.mode.padEnd(13)} return ${r.mean.toFixed(1)} ± ${r.std.toFixed(1)} over ${r.returns.length} episodes (lengths ${Math.min(...r.lengths)}–${Math.max(...r.lengths)})`,
    );
  }
  if (values.frames) console.log(`frames of the first deterministic episode in ${values.frames}`);
  if (values.video) console.log(`video of the first deterministic episode: ${values.video} (${videoFrames} frames)`);
}

async function plotCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      x: { type: 'string', default: 'env_steps' },
      y: { type: 'string' },
      title: { type: 'string' },
    },
  });
  if (!values.out || positionals.length === 0) throw new Error('plot needs run directories and -o <file.png|file.svg>');
  if (values.x !== 'env_steps' && values.x !== 'iteration') throw new Error('--x must be env_steps or iteration');
  // Imported lazily: the charting stack (vega, resvg) is only loaded for this command.
  const { plotRuns } = await import('../plot/index.js');
  const { out, groups } = await plotRuns(positionals, values.out, { x: values.x, y: values.y, title: values.title });
  console.log(`wrote ${out} (${groups.map((g) => `${g.name}: ${g.runCount} runs`).join(', ')})`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'train':
      return trainCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case 'plot':
      return plotCommand(rest);
    case 'compare':
      return compareCommand(rest);
    case 'dashboard':
      return dashboardCommand(rest);
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(`${HELP}\n${trainHelp()}`);
      return;
    default:
      throw new Error(`unknown command '${command}'\n${HELP}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`vinegym: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.VINEGYM_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
