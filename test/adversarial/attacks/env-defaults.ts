/**
 * Env-level attacks on the TypeScript server started the documented way with its defaults, no --model-dir: xml_path
 * must read nothing at all (a host file, /dev/zero, a FIFO without a writer, /proc) and leave nothing behind that
 * would keep SIGTERM from completing; and what a client's sessions took (worker threads, their memory, the session
 * budget) comes back when the client leaves without closing them, round after round.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndarray } from '@vinegym/protocol';
import { TestClient } from '../../../packages/env-server/test/fixtures/test-client.js';
import { expectServerHeld, runAttack, serverMetric, startTarget, until } from '../harness/attack.js';
import type { AttackTarget } from '../harness/attack.js';
import type { RunningServer, ServerCommand } from '../harness/server-under-test.js';

const MiB = 1024 * 1024;
/** Clients that come, make sessions on worker threads and leave, one after another; threads each makes. */
const ROUNDS = 2;
const THREADS = 4;

async function gauges(server: RunningServer, names: string[]): Promise<number[]> {
  return Promise.all(names.map((name) => serverMetric(server, name)));
}

/** Polls until the gauges `names` read `expected` again, or `ms` passed; returns their last values. */
async function gaugesBackTo(server: RunningServer, names: string[], expected: number[], ms: number): Promise<number[]> {
  const deadline = performance.now() + ms;
  for (;;) {
    const values = await gauges(server, names);
    if (values.every((value, k) => value === expected[k]) || performance.now() > deadline) return values;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function describeDefaultServerEnvAttacks(command: ServerCommand): void {
  describe(`env-level attacks on the default server (no --model-dir, worker threads): ${command.name}`, () => {
    let target: AttackTarget;
    let server: RunningServer;
    let scratch: string;
    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'vinegym-fifo-'));
      execFileSync('mkfifo', [join(scratch, 'model.xml')]);
      target = await startTarget(command, { extraArgs: ['--workers', '1'] });
      server = target.server;
      // MuJoCo and Hopper's model load at the first make: a one-time cost, not the attacks'.
      const c = await TestClient.open(server.url, server.token);
      const made = await c.call('make', { env_id: 'Hopper-v5', kwargs: {}, num_envs: 1 });
      await c.call('close', { session_id: made.session_id });
      c.ws.close();
    }, 120_000);
    afterAll(async () => {
      await target?.stop();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('xml_path reads nothing without --model-dir: a host file, /dev/zero, a FIFO and /proc get one refusal', async () => {
      const paths = [
        target.canary.path,
        '/dev/zero',
        join(scratch, 'model.xml'),
        '/proc/self/environ',
        '/etc/passwd',
        join(scratch, 'missing.xml'),
        'hopper.xml',
      ];
      const report = await runAttack(
        target,
        { name: 'xml_path without a model directory', durationMs: 2000 },
        async ({ deadline, record }) => {
          const attacker = await TestClient.open(server.url, server.token);
          const messages = new Set<string>();
          const codes = new Set<string>();
          await until(deadline, 20, async () => {
            for (const path of paths) {
              const answer = await attacker.request('make', {
                env_id: 'mujoco/custom-v0',
                kwargs: { xml_path: path },
                num_envs: 1,
              });
              record(JSON.stringify(answer));
              codes.add(String(answer.error?.code));
              messages.add(String(answer.error?.message).replace(JSON.stringify(path), 'PATH'));
            }
          });
          attacker.ws.close();
          return { codes, messages };
        },
      );
      expect([...report.outcome.codes]).toEqual(['INVALID_KWARGS']);
      expect([...report.outcome.messages]).toEqual([
        'xml_path PATH is not a model file this server serves (the server reads no model files; send the model as xml)',
      ]);
      expectServerHeld(report, 64);
    }, 60_000);

    it("a client's worker threads, their memory and its session budget come back when it leaves without closing", async () => {
      const names = ['vinegym_sessions', 'vinegym_worker_threads', 'vinegym_session_memory_estimate_bytes'];
      const afterRounds: number[] = [];
      let peakGrowthMiB = 0;
      // The legitimate client's CartPole session stays: what counts is getting back to where the server was.
      const before = await gauges(server, names);
      let settled: number[] = [];
      const report = await runAttack(target, { name: 'sessions left behind', durationMs: 60_000 }, async () => {
        const rssBefore = server.rssBytes();
        for (let round = 0; round < ROUNDS; round++) {
          const attacker = await TestClient.open(server.url, server.token);
          // THREADS threads with 16 Hopper envs each, all stepped: within the per-connection cap of 16 threads.
          for (let k = 0; k < THREADS; k++) {
            const made = await attacker.call('make', { env_id: 'Hopper-v5', kwargs: {}, num_envs: 16, seed: k });
            await attacker.call('reset', { session_id: made.session_id });
            await attacker.call('step', {
              session_id: made.session_id,
              actions: ndarray('float32', [16, 3], new Float32Array(48)),
            });
          }
          peakGrowthMiB = Math.max(peakGrowthMiB, (server.rssBytes() - rssBefore) / MiB);
          attacker.ws.terminate(); // no close frame, no close requests
          settled = await gaugesBackTo(server, names, before, 10_000);
          if (settled.some((value, k) => value !== before[k])) break;
          await new Promise((resolve) => setTimeout(resolve, 500)); // terminated threads unmapping their heaps
          afterRounds.push((server.rssBytes() - rssBefore) / MiB);
        }
        return null;
      });
      console.log(
        `sessions left behind: RSS +${peakGrowthMiB.toFixed(0)} MiB with ${THREADS} worker threads open, ` +
          `+${afterRounds.map((m) => m.toFixed(0)).join(', +')} MiB after each of ${afterRounds.length} clients left`,
      );
      expect(settled).toEqual(before);
      expect(before[1]).toBe(0); // before the attacker came, no worker thread ran
      expect(afterRounds).toHaveLength(ROUNDS);
      expect(peakGrowthMiB).toBeGreaterThan(128); // the sessions really held memory
      // What the threads held is given back, and nothing accumulates from one client to the next.
      expect(Math.max(...afterRounds)).toBeLessThan(peakGrowthMiB / 2);
      expect(afterRounds[ROUNDS - 1] - afterRounds[0]).toBeLessThan(48);
      // The peak is the sessions themselves, which the budget allowed: THREADS threads of ~70 MiB.
      expectServerHeld(report, 600);
    }, 300_000);

    it('SIGTERM completes at once after the xml_path attacks: nothing waits on a FIFO or a device', async () => {
      const started = performance.now();
      const exit = await server.stop(30_000);
      const seconds = (performance.now() - started) / 1000;
      console.log(`exit ${exit.code} after SIGTERM in ${seconds.toFixed(1)} s`);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(seconds).toBeLessThan(8); // the 5 s drain at most
    }, 60_000);
  });
}
