/**
 * One adversarial run: a legitimate client (with the token) steps the server in its own process while `attack`
 * runs in this one; the server's resident memory is sampled all along. The report says whether the server held:
 * still running and answering /healthz, the legitimate client's p99 step latency under 50 ms with no failed step,
 * resident memory growth under the attack's stated bound, and the canary file never read or echoed.
 *
 * A real attacker runs on another machine; here it shares two cores with the server and the legitimate client. So
 * that its own CPU use does not count against the server, the test process (the attacker) lowers its scheduling
 * priority, to 10 above theirs, once the server and the legitimate client have started (startTarget).
 */
import { getPriority, setPriority } from 'node:os';
import { expect } from 'vitest';
import { createCanary } from './canary.js';
import type { Canary } from './canary.js';
import { setReceiveRecorder } from './raw-socket.js';
import { startLatencyProbe } from './latency-probe.js';
import type { LatencyProbe, LatencySummary } from './latency-probe.js';
import { startServer } from './server-under-test.js';
import type { RunningServer, ServerCommand } from './server-under-test.js';

/** A server under attack, the legitimate client that steps it all along, and a canary file it must never read. */
export interface AttackTarget {
  server: RunningServer;
  probe: LatencyProbe;
  envId: string;
  /** Attacks that can name a path (kwargs, plug-ins) point it here. */
  canary: Canary;
  stop(): Promise<void>;
}

/** Niceness the attacker (this process) takes on, relative to the server and the legitimate client. */
const ATTACKER_NICENESS = 10;

/**
 * This process's niceness before any target lowered it (kept in the environment, which outlives the module when
 * several test files share a process): servers and legitimate clients run at it, the attacker 10 above it. Relative,
 * so that a suite run under `nice -n 10` keeps the gap (an absolute 10 left the attacker level with the server).
 */
const baseNiceness = Number((process.env.VINEGYM_ADVERSARIAL_BASE_NICENESS ??= String(getPriority(process.pid))));

/** Sets this process's niceness where the system lets it (raising priority again needs the privilege to). */
function renice(niceness: number): void {
  try {
    setPriority(process.pid, Math.min(19, niceness));
  } catch {
    // Without the privilege a later server inherits the attacker's niceness: the attack then judges it level.
  }
}

export async function startTarget(
  command: ServerCommand,
  options: { extraArgs?: string[] } = {},
): Promise<AttackTarget> {
  // Children inherit this process's niceness: an earlier target of the same file has lowered it.
  renice(baseNiceness);
  const server = await startServer(command, options);
  const probe = await startLatencyProbe(server.url, server.token, command.envId);
  renice(baseNiceness + ATTACKER_NICENESS);
  const canary = createCanary();
  return {
    server,
    probe,
    envId: command.envId,
    canary,
    stop: async () => {
      await probe.stop().catch(() => undefined);
      await server.stop();
      canary.remove();
    },
  };
}

/**
 * What an attack may add to the legitimate client's p99 step latency: its p99 during the attack must stay below
 * this plus its p99 over the quiet seconds just before and after (1–3 ms on an idle machine; more when other work
 * shares the cores, which delays every process whatever the server does).
 */
export const P99_BOUND_MS = 50;
/** The quiet window measured before each attack. */
const QUIET_MS = 1000;

export interface AttackContext {
  server: RunningServer;
  /** performance.now() by which the attack must have stopped sending. */
  deadline: number;
  /** What the attack received other than through harness sockets (those are checked already), for the canary check. */
  record(bytes: Uint8Array | string): void;
}

export interface AttackReport<T> {
  name: string;
  outcome: T;
  /** The legitimate client over the quiet seconds before and after the attack (the noisier of the two). */
  quiet: LatencySummary;
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
}

export async function runAttack<T>(
  target: AttackTarget,
  options: AttackOptions,
  attack: (context: AttackContext) => Promise<T>,
): Promise<AttackReport<T>> {
  const { server, probe } = target;
  await probe.mark();
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  const quiet = await probe.report();
  await probe.mark();
  const rssBeforeBytes = server.rssBytes();
  let rssPeakBytes = rssBeforeBytes;
  const sampler = setInterval(() => {
    if (server.alive()) rssPeakBytes = Math.max(rssPeakBytes, server.rssBytes());
  }, 50);
  let leaked = false;
  const record = (bytes: Uint8Array | string) => {
    if (target.canary.leakedIn(bytes)) leaked = true;
  };
  setReceiveRecorder(record);
  let outcome: T;
  try {
    outcome = await attack({ server, deadline: performance.now() + options.durationMs, record });
    await new Promise((resolve) => setTimeout(resolve, 200)); // what the attack left behind, settling
  } finally {
    clearInterval(sampler);
    setReceiveRecorder(null);
  }
  if (server.alive()) rssPeakBytes = Math.max(rssPeakBytes, server.rssBytes());
  const latency = await probe.report();
  await probe.mark();
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  const quietAfter = await probe.report();
  let healthz: number | null = null;
  try {
    healthz = (await fetch(`${server.httpUrl}/healthz`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    healthz = null;
  }
  if (target.canary.leakedIn(server.stderr())) leaked = true;
  return {
    name: options.name,
    outcome,
    quiet: quietAfter.p99Ms > quiet.p99Ms ? quietAfter : quiet,
    latency,
    rssBeforeBytes,
    rssPeakBytes,
    alive: server.alive(),
    healthz,
    leaked,
    canaryRead: target.canary.wasRead(),
  };
}

/** The assertions every attack shares; `maxRssGrowthMiB` is the attack's stated bound. */
export function expectServerHeld(report: AttackReport<unknown>, maxRssGrowthMiB: number): void {
  const growthMiB = (report.rssPeakBytes - report.rssBeforeBytes) / (1024 * 1024);
  const summary =
    `${report.name}: p50 ${report.latency.p50Ms.toFixed(2)} ms, p99 ${report.latency.p99Ms.toFixed(2)} ms over ${report.latency.steps} steps ` +
    `(quiet p99 ${report.quiet.p99Ms.toFixed(2)} ms), RSS +${growthMiB.toFixed(1)} MiB`;
  console.log(summary);
  expect(report.alive, `${report.name}: the server exited`).toBe(true);
  expect(report.healthz, `${report.name}: /healthz`).toBe(200);
  expect(report.latency.closeCode, `${report.name}: the legitimate client was disconnected`).toBeNull();
  expect(report.latency.errors, `${report.name}: legitimate steps failed`).toEqual({});
  expect(report.latency.steps, `${report.name}: the legitimate client made no progress`).toBeGreaterThan(20);
  expect(report.latency.p99Ms, summary).toBeLessThan(P99_BOUND_MS + report.quiet.p99Ms);
  expect(growthMiB, summary).toBeLessThan(maxRssGrowthMiB);
  expect(report.leaked, `${report.name}: the canary secret was sent to the attacker or logged`).toBe(false);
  if (report.canaryRead !== undefined)
    expect(report.canaryRead, `${report.name}: the canary file was read`).toBe(false);
}

/**
 * Runs `step` repeatedly until the deadline (every loop in an attack is bounded by time and by `maxRounds`), at most
 * one round per `paceMs`. Attacks whose point is that one request costs little, not how many a client can send
 * (there is no rate limit per connection; docs/reliability.md), pace their rounds.
 */
export async function until(
  deadline: number,
  maxRounds: number,
  step: (round: number) => Promise<void>,
  paceMs = 0,
): Promise<number> {
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
