/**
 * The server process of bench/ws-server-cpu.ts: a server made as the CLI makes it (workers 0, log level warn,
 * viewer on), printing its URL, and on request its CPU so far or the CPU of in-process steps on its own service.
 * Commands and answers are JSON lines on stdin and stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createServer, InProcessConnection } from '@vinegym/env-server';
import { randomActions, type EmbeddedCommand, type PlainCommand } from './ws-server-cpu-common.js';

const server = await createServer({ port: 0, workers: 0, logger: { level: 'warn', stream: process.stderr } });
const reply = (answer: object) => process.stdout.write(`${JSON.stringify(answer)}\n`);

let perf: ChildProcess | null = null;
/** Starts perf on this process (record, or stat for a `.stat` file); perf itself runs at nice 19. */
async function perfStart(file: string | undefined): Promise<void> {
  if (!file) return;
  const how = file.endsWith('.stat')
    ? ['stat', '-e', 'task-clock,context-switches,cpu-migrations,page-faults', '--per-thread']
    : ['record', '-F', '1999', '-g'];
  perf = spawn('nice', ['-n', '19', 'perf', ...how, '-p', String(process.pid), '-o', file], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
}
async function perfStop(): Promise<void> {
  if (perf === null) return;
  perf.kill('SIGINT');
  await once(perf, 'exit');
  perf = null;
}

async function stepInProcess(command: EmbeddedCommand): Promise<NodeJS.CpuUsage> {
  const { envId, numEnvs, kwargs, batches, seed } = command;
  const connection = new InProcessConnection(server.service, { reuseObservations: true });
  try {
    const made = await connection.request('make', { env_id: envId, num_envs: numEnvs, kwargs, seed: 0 });
    const actions = randomActions((made.single_action_space as { n: number }).n, numEnvs, seed);
    const id = made.session_id;
    await connection.request('reset', { session_id: id, seed: 0 });
    for (let k = 0; k < 20; k++) await connection.request('step', { session_id: id, actions: actions[k % 64]! });
    await perfStart(command.perf && `${command.perf}-embedded.${command.perfExt ?? 'data'}`);
    const c0 = process.cpuUsage();
    const idleMs = (command.idleUs ?? 0) / 1000;
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    for (let k = 0; k < batches; k++) {
      await connection.request('step', { session_id: id, actions: actions[k % 64]! });
      if (idleMs > 0) Atomics.wait(sleeper, 0, 0, idleMs);
    }
    const cpu = process.cpuUsage(c0);
    await perfStop();
    return cpu;
  } finally {
    await connection.close();
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as PlainCommand | EmbeddedCommand;
  if (command.cmd === 'url') reply({ url: server.url });
  else if (command.cmd === 'cpu') reply(process.cpuUsage());
  else if (command.cmd === 'perf-start') {
    await perfStart(command.perf);
    reply({});
  } else if (command.cmd === 'perf-stop') {
    await perfStop();
    reply({});
  } else if (command.cmd === 'embedded') reply(await stepInProcess(command));
}
await server.close();
