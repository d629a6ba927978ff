/**
 * One adversarial run: a legitimate client (with the token) steps the server in its own process while `attack`
 * runs in this one; the server's resident memory is sampled all along. The report says whether the server held:
 * still running and answering /healthz, the legitimate client's p99 step latency under 50 ms with no failed step,
 * resident memory growth under the attack's stated bound, and the canary file never read or echoed.
 *
 * A real attacker runs on another machine; here it shares two cores with the server and the legitimate client. So
 * that its own CPU use does not count against the server, the test process (the attacker) lowers its scheduling
 * priority once the server and the legitimate client, which keep theirs, have started (startTarget).
 */
import { getPriority, setPriority } from 'node:os';
import { expect } from 'vitest';
import type { Canary } from './canary.js';
import { startLatencyProbe } from './latency-probe.js';
import type { LatencyProbe, LatencySummary } from './latency-probe.js';
import { startServer } from './server-under-test.js';
import type { RunningServer, ServerCommand } from './server-under-test.js';

/** A server under attack and the legitimate client that steps it all along. */
export interface AttackTarget {
  server: RunningServer;
  probe: LatencyProbe;
  envId: string;
  stop(): Promise<void>;
}

/** Niceness the attacker (this process) takes on, relative to the server and the legitimate client. */
const ATTACKER_NICENESS = 10;

export async function startTarget(command: ServerCommand, options: { extraArgs?: string[] } = {}): Promise<AttackTarget> {
  const server = await startServer(command, options);
  const probe = await startLatencyProbe(server.url, server.token, command.envId);
  const niceness = getPriority(process.pid);
  if (niceness < ATTACKER_NICENESS) setPriority(process.pid, ATTACKER_NICENESS);
  return {
    server,
    probe,
    envId: command.envId,
    stop: async () => {
      await probe.stop().catch(() => undefined);
      await server.stop();
    },
  };
}

/** The legitimate client's p99 step latency must stay below this during every attack. */
export const P99_BOUND_MS = 50;

export interface AttackContext {
  server: RunningServer;
  /** performance.now() by which the attack must have stopped sending. */
  deadline: number;
  /** Everything the attack received from the server, for the canary check. */
  record(bytes: Uint8Array | string): void;
}

export interface AttackReport<T> {
  name: string;
  outcome: T;
  latency: LatencySummary;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  alive: boolean;
  healthz: number | null;
  /** The canary's secret appeared in what the server sent. */
  leaked: boolean;
  /** The canary file was opened for reading (undefined: the file system cannot tell). */
  canaryRead: boolean | undefined;
}

export interface AttackOptions {
  name: string;
  /** How long the attack may run. */
  durationMs: number;
  canary?: Canary;
}

export async function runAttack<T>(target: AttackTarget, options: AttackOptions, attack: (context: AttackContext) => Promise<T>): Promise<AttackReport<T>> {
  const { server, probe } = target;
  await probe.mark();
  const rssBeforeBytes = server.rssBytes();
  let rssPeakBytes = rssBeforeBytes;
  const sampler = setInterval(() => {
    if (server.alive()) rssPeakBytes = Math.max(rssPeakBytes, server.rssBytes());
  }, 50);
  let leaked = false;
  let outcome: T;
  try {
    outcome = await attack({
      server,
      deadline: performance.now() + options.durationMs,
      record: (bytes) => {
        if (options.canary?.leakedIn(bytes)) leaked = true;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // what the attack left behind, settling
  } finally {
    clearInterval(sampler);
  }
  if (server.alive()) rssPeakBytes = Math.max(rssPeakBytes, server.rssBytes());
  const latency = await probe.report();
  let healthz: number | null = null;
  try {
    healthz = (await fetch(`${server.httpUrl}/healthz`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    healthz = null;
  }
  if (options.canary?.leakedIn(server.stderr())) leaked = true;
  return {
    name: options.name,
    outcome,
    latency,
    rssBeforeBytes,
    rssPeakBytes,
    alive: server.alive(),
    healthz,
    leaked,
    canaryRead: options.canary?.wasRead(),
  };
}

/** The assertions every attack shares; `maxRssGrowthMiB` is the attack's stated bound. */
export function expectServerHeld(report: AttackReport<unknown>, maxRssGrowthMiB: number): void {
  const growthMiB = (report.rssPeakBytes - report.rssBeforeBytes) / (1024 * 1024);
  const summary = `${report.name}: p50 ${report.latency.p50Ms.toFixed(2)} ms, p99 ${report.latency.p99Ms.toFixed(2)} ms over ${report.latency.steps} steps, RSS +${growthMiB.toFixed(1)} MiB`;
  console.log(summary);
  expect(report.alive, `${report.name}: the server exited`).toBe(true);
  expect(report.healthz, `${report.name}: /healthz`).toBe(200);
  expect(report.latency.closeCode, `${report.name}: the legitimate client was disconnected`).toBeNull();
  expect(report.latency.errors, `${report.name}: legitimate steps failed`).toEqual({});
  expect(report.latency.steps, `${report.name}: the legitimate client made no progress`).toBeGreaterThan(20);
  expect(report.latency.p99Ms, summary).toBeLessThan(P99_BOUND_MS);
  expect(growthMiB, summary).toBeLessThan(maxRssGrowthMiB);
  expect(report.leaked, `${report.name}: the canary secret was sent to the attacker or logged`).toBe(false);
  if (report.canaryRead !== undefined) expect(report.canaryRead, `${report.name}: the canary file was read`).toBe(false);
}

/**
 * Runs `step` repeatedly until the deadline (every loop in an attack is bounded by time and by `maxRounds`), at most
 * one round per `paceMs`. Attacks whose point is that one request costs little, not how many a client can send
 * (there is no rate limit per connection; docs/reliability.md), pace their rounds.
 */
export async function until(deadline: number, maxRounds: number, step: (round: number) => Promise<void>, paceMs = 0): Promise<number> {
  let round = 0;
  while (round < maxRounds && performance.now() < deadline) {
    const started = performance.now();
    await step(round++);
    const rest = paceMs - (performance.now() - started);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  }
  return round;
}

/** A counter of the server's /metrics (0 when absent). */
export async function serverMetric(server: { httpUrl: string }, name: string): Promise<number> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const match = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}
