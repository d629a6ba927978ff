/**
 * Discovery with real server processes: `vinegym-server` children on 127.0.0.2, .3 and .4 (all of 127/8 is
 * loopback) share one port, as the pods of a headless Service do, and a fake resolver answers for the Service's
 * name. While TRPO trains on `dns:envs.test:<port>`: a third server gets listed and must take steps; a listed server
 * is withdrawn while it keeps running (a pod being drained) and must get no more steps and no session; then a
 * listed server is killed (SIGKILL) and training goes on. Another run resolves `localhost` for real.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { trainConfig } from '../packages/agent/src/config/train-config.js';
import { train } from '../packages/agent/src/train/trainer.js';
import { serverMetric } from './adversarial/harness/attack.js';
import { startServer, typescriptServer, type RunningServer } from './adversarial/harness/server-under-test.js';

const TOKEN = 'discovery-test-token';
const running: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop(2000)));
});

async function serverAt(host: string, port: number): Promise<RunningServer> {
  const server = await startServer(typescriptServer(), {
    token: TOKEN,
    extraArgs: ['--host', host, '--port', String(port)],
  });
  running.push(server);
  return server;
}

const FAST_RECONNECT = { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50 };

describe('discovery with real servers', () => {
  it('servers that appear take steps, a withdrawn one gets none, a killed one sits out; training goes on', async () => {
    const a = await serverAt('127.0.0.2', 0);
    const port = Number(new URL(a.url).port);
    const [b, c] = await Promise.all([serverAt('127.0.0.3', port), serverAt('127.0.0.4', port)]);
    let answer = ['127.0.0.2', '127.0.0.3']; // c runs but is not ready yet: not listed
    const lines: string[] = [];
    const saw = (text: string) => lines.some((line) => line.includes(text));

    // The scenario advances only once the previous change was seen, so it does not depend on timing.
    let phase = 0;
    let mark = 0;
    let aStepsAfterWithdrawal: Promise<number> | null = null;
    const onIteration = (row: Record<string, number>) => {
      const iteration = row.iteration;
      if (phase === 0 && iteration >= 2) {
        answer = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
        [phase, mark] = [1, iteration];
      } else if (phase === 1 && saw(`${c.url} joined`) && iteration >= mark + 2) {
        answer = ['127.0.0.3', '127.0.0.4'];
        [phase, mark] = [2, iteration];
      } else if (phase === 2 && saw(`${a.url} is no longer listed`)) {
        [phase, mark] = [3, iteration];
      } else if (phase === 3 && iteration >= mark + 2) {
        // The batch running at the withdrawal may still have used a; the one after it may not.
        aStepsAfterWithdrawal = serverMetric(a, 'vinegym_env_steps_total');
        b.child.kill('SIGKILL');
        [phase, mark] = [4, iteration];
      } else if (phase === 4 && iteration >= mark + 2) {
        phase = 5;
      }
    };
    const config = trainConfig({
      envId: 'CartPole-v1',
      servers: [`dns:envs.test:${port}`],
      numEnvs: 2,
      stepsPerIteration: 200,
      iterations: 16,
    });
    const result = await train({
      config,
      runDir: null,
      progress: false,
      token: TOKEN,
      reconnect: FAST_RECONNECT,
      discovery: { resolver: async (name) => (name === 'envs.test' ? answer : []), intervalMs: 50 },
      log: (line) => lines.push(line),
      onIteration: (row) => {
        if (phase < 5) onIteration(row);
      },
    });
    expect(phase, lines.join('\n')).toBe(5);
    expect(result.iterations).toBe(16);
    expect(saw(`${a.url} joined`) && saw(`${b.url} joined`) && saw(`${c.url} joined (3 servers)`)).toBe(true);
    expect(await serverMetric(c, 'vinegym_env_steps_total')).toBeGreaterThan(0);
    // a kept running but, withdrawn, took no more steps and holds no session of ours.
    expect(a.alive()).toBe(true);
    const aSteps = await aStepsAfterWithdrawal!;
    expect(aSteps).toBeGreaterThan(0);
    expect(await serverMetric(a, 'vinegym_env_steps_total')).toBe(aSteps);
    expect(await serverMetric(a, 'vinegym_sessions')).toBe(0);
    // The run closed its envs: c holds no session either.
    expect(await serverMetric(c, 'vinegym_sessions')).toBe(0);
  }, 240_000);

  it('dns:localhost:<port> resolves through the system resolver; the server gets one session per pipeline group', async () => {
    const server = await serverAt('127.0.0.1', 0);
    const port = Number(new URL(server.url).port);
    const lines: string[] = [];
    const config = trainConfig({
      envId: 'CartPole-v1',
      servers: [`dns:localhost:${port}`],
      numEnvs: 2,
      pipelineGroups: 2,
      stepsPerIteration: 128,
      iterations: 2,
    });
    let sessionsDuringRun: Promise<number> | null = null;
    const result = await train({
      config,
      runDir: null,
      progress: false,
      token: TOKEN,
      reconnect: FAST_RECONNECT,
      log: (line) => lines.push(line),
      onIteration: () => {
        sessionsDuringRun ??= serverMetric(server, 'vinegym_sessions');
      },
    });
    expect(result.iterations).toBe(2);
    expect(lines).toContain(`discovery: ${server.url} joined (1 server)`);
    expect(await sessionsDuringRun).toBe(2);
    expect(await serverMetric(server, 'vinegym_env_steps_total')).toBeGreaterThanOrEqual(256);
  }, 120_000);
});
