/**
 * Where the env server's CPU goes over WebSocket: CPU of the server process per env step while our TypeScript client
 * steps an ALE/<Game>-v5 session over loopback, against an in-process session with `reuseObservations` stepped in
 * the same server process (the same service, so the same compiled blocks and the same warm-up), with the same
 * actions. Each round runs both, in alternating order (whichever runs first also pays for any code V8 is still
 * optimizing). The difference is what the WebSocket path costs the server beyond the step itself.
 *
 *   tsx --conditions=source bench/ws-server-cpu.ts [--games pong,seaquest] [--envs 8,16] [--steps 4000]
 *        [--rounds 4] [--obs raw|ram|paper] [--reuse] [--split 1,2] [--idle-us 0,1000] [--env-id CartPole-v1]
 *        [--dist] [--serve bench/ws-server-cpu-serve.ts] [--node-args '...'] [--perf prefix [--perf-ext data|stat]]
 *
 * `--reuse`: the client reuses its receive buffers (the bench's `ws-reuse`). `--split 1,2`: one run over WebSocket
 * per value, the envs in that many sessions whose requests are in flight together. `--idle-us 0,1000`: one in-process
 * run per value, sleeping that long after each step as a server waits for its client. `--env-id`: another env with a
 * Discrete action space (CartPole-v1: the transport's fixed cost per request). `--dist`: the server's packages from
 * their built JavaScript instead of the TypeScript source. `--serve`: another server script speaking the same JSON
 * lines. `--perf`: `perf record -g` (or `perf stat` with `--perf-ext stat`) of the server process over each timed
 * loop, written to `<prefix>-<game>-<envs>-<round>-<side>`; pass `--node-args=--perf-basic-prof` for names of JIT
 * frames.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { RemoteVectorEnv } from '@vinegym/agent';
import { median } from './stats.js';
import { ATARI_OBS_KWARGS, envIdOf } from './atari-games.js';
import { type CpuReply, type EmbeddedCommand, randomActions } from './ws-server-cpu-common.js';

const { values } = parseArgs({
  options: {
    games: { type: 'string', default: 'pong,seaquest' },
    envs: { type: 'string', default: '8' },
    steps: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '4' },
    obs: { type: 'string', default: 'raw' },
    /** Any other env with a Discrete action space (e.g. CartPole-v1: the transport's fixed cost per request). */
    'env-id': { type: 'string' },
    reuse: { type: 'boolean', default: false },
    /** Runs over WebSocket per round: the envs in this many sessions, requests in flight together (a list). */
    split: { type: 'string', default: '1' },
    serve: { type: 'string', default: new URL('./ws-server-cpu-serve.ts', import.meta.url).pathname },
    'node-args': { type: 'string', default: '' },
    /** The server's packages from their built JavaScript (dist/, as `vinegym-server` runs) instead of the TS source. */
    dist: { type: 'boolean', default: false },
    /** In-process runs per round: after each step sleep this long, as the server waits for the client (a list). */
    'idle-us': { type: 'string', default: '0' },
    perf: { type: 'string' },
    'perf-ext': { type: 'string', default: 'data' },
  },
});
const obs = values.obs as keyof typeof ATARI_OBS_KWARGS;
if (!(obs in ATARI_OBS_KWARGS)) throw new Error(`--obs must be one of ${Object.keys(ATARI_OBS_KWARGS).join(', ')}`);
const steps = Number(values.steps);
const rounds = Number(values.rounds);

const nodeArgs = values['node-args']!.split(' ').filter((arg) => arg !== '');
const conditions = values.dist ? [] : ['--conditions', 'source'];
const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...conditions, values.serve!], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
/** One command to the server process and its JSON answer; anything else it prints (V8 traces) goes to stderr. */
async function ask<T>(command: object): Promise<T> {
  child.stdin!.write(`${JSON.stringify(command)}\n`);
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error('the server process ended');
    if ((value as string).startsWith('{')) return JSON.parse(value as string) as T;
    process.stderr.write(`${value as string}\n`);
  }
}
const { url } = await ask<{ url: string }>({ cmd: 'url' });

async function overWebSocket(
  command: EmbeddedCommand,
  split: number,
): Promise<{ server: CpuReply; client: NodeJS.CpuUsage }> {
  const { envId, kwargs, batches, seed, perf } = command;
  // `split` k: k sessions of numEnvs / k envs each, stepped with all their requests in flight at once.
  const numEnvs = command.numEnvs / split;
  if (!Number.isInteger(numEnvs)) throw new Error('--split must divide every --envs');
  const envs = await Promise.all(
    Array.from({ length: split }, () =>
      RemoteVectorEnv.connect(url, { envId, numEnvs, kwargs, seed: 0, reuseReceiveBuffers: values.reuse }),
    ),
  );
  try {
    const n = (envs[0]!.spec.single_action_space as { n: number }).n;
    const actions = randomActions(n, numEnvs, seed);
    const step = (k: number) => Promise.all(envs.map((env) => env.step(actions[k % actions.length]!)));
    await Promise.all(envs.map((env) => env.reset({ seed: 0 })));
    for (let k = 0; k < 20; k++) await step(k);
    if (perf) await ask({ cmd: 'perf-start', perf: `${perf}-ws.${values['perf-ext']}` });
    const s0 = await ask<CpuReply>({ cmd: 'cpu' });
    const c0 = process.cpuUsage();
    for (let k = 0; k < batches; k++) await step(k);
    const client = process.cpuUsage(c0);
    const s1 = await ask<CpuReply>({ cmd: 'cpu' });
    if (perf) await ask({ cmd: 'perf-stop' });
    return { server: { user: s1.user - s0.user, system: s1.system - s0.system }, client };
  } finally {
    await Promise.all(envs.map((env) => env.close()));
  }
}

const idles = values['idle-us']!.split(',').map(Number);
const splits = values.split!.split(',').map(Number);
const idleHeads = idles.map((us) => `in-process, idle ${us} us`);
const wsHeads = splits.map((k) => (k === 1 ? 'ws' : `ws, ${k} sessions`));
console.log(`load average (1 min) at start: ${loadavg()[0]!.toFixed(2)}`);
console.log(
  'CPU us per env step: the server process over WebSocket (user / system), our client (user / system), and the same ' +
    'server process stepping in-process',
);
console.log(
  `| game | envs | round | ${wsHeads.map((h) => `${h}: server | client`).join(' | ')} | ${idleHeads.join(' | ')} |`,
);
console.log(`|---|---:|---:|${splits.map(() => '---:|---:|').join('')}${idles.map(() => '---:|').join('')}`);
const summary: string[] = [];
for (const game of values.games!.split(',')) {
  for (const numEnvs of values.envs!.split(',').map(Number)) {
    const batches = Math.max(1, Math.floor(steps / numEnvs));
    const per = (us: number) => us / (batches * numEnvs);
    const servers: number[][] = splits.map(() => []);
    const clients: number[][] = splits.map(() => []);
    const inProcess: number[][] = idles.map(() => []);
    for (let round = 0; round < rounds; round++) {
      const command = (idleUs: number): EmbeddedCommand => ({
        cmd: 'embedded',
        envId: values['env-id'] ?? envIdOf(game),
        numEnvs,
        kwargs: values['env-id'] === undefined ? { ...ATARI_OBS_KWARGS[obs] } : {},
        batches,
        seed: round + 1,
        perf: values.perf && `${values.perf}-${game}-${numEnvs}-${round}`,
        perfExt: values['perf-ext'],
        idleUs,
      });
      const embeddedAll = async () => {
        const cpus: CpuReply[] = [];
        for (const idleUs of idles) cpus.push(await ask<CpuReply>(command(idleUs)));
        return cpus;
      };
      const wsAll = async () => {
        const results: Awaited<ReturnType<typeof overWebSocket>>[] = [];
        for (const split of splits) results.push(await overWebSocket(command(0), split));
        return results;
      };
      let ws: Awaited<ReturnType<typeof wsAll>>;
      let embedded: CpuReply[];
      if (round % 2 === 0) {
        ws = await wsAll();
        embedded = await embeddedAll();
      } else {
        embedded = await embeddedAll();
        ws = await wsAll();
      }
      ws.forEach(({ server, client }, i) => {
        servers[i]!.push(per(server.user + server.system));
        clients[i]!.push(per(client.user + client.system));
      });
      embedded.forEach((cpu, i) => inProcess[i]!.push(per(cpu.user + cpu.system)));
      const pair = (cpu: CpuReply) => `${per(cpu.user).toFixed(0)} / ${per(cpu.system).toFixed(0)}`;
      console.log(
        `| ${game} | ${numEnvs} | ${round} | ${ws.map(({ server, client }) => `${pair(server)} | ${pair(client)}`).join(' | ')} | ` +
          `${embedded.map((cpu) => per(cpu.user + cpu.system).toFixed(0)).join(' | ')} |`,
      );
    }
    const gaps = servers.flatMap((server) =>
      inProcess.map((values) => median(server.map((s, r) => s - values[r]!)).toFixed(0)),
    );
    summary.push(
      `| ${game} | ${numEnvs} | ${servers.map((v, i) => `${median(v).toFixed(0)} | ${median(clients[i]!).toFixed(0)}`).join(' | ')} | ` +
        `${inProcess.map((v) => median(v).toFixed(0)).join(' | ')} | ${gaps.join(' | ')} |`,
    );
  }
}
console.log(
  `\nMedians over ${rounds} rounds (${steps} env steps each, obs ${obs}, client ${values.reuse ? 'reusing' : 'default'}); ` +
    '"a - b": the median over rounds of the difference in the same round',
);
const gapHeads = wsHeads.flatMap((w) => idleHeads.map((h) => `${w} server - ${h}`));
console.log(
  `| game | envs | ${wsHeads.map((h) => `${h}: server | client`).join(' | ')} | ${idleHeads.join(' | ')} | ${gapHeads.join(' | ')} |`,
);
console.log(
  `|---|---:|${splits.map(() => '---:|---:|').join('')}${idles.map(() => '---:|').join('')}${gapHeads.map(() => '---:|').join('')}`,
);
for (const line of summary) console.log(line);
console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);
child.stdin!.end();
await once(child, 'exit');
