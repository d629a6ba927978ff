/**
 * Flood attacks (sockets that never say hello, half-open HTTP requests) must show that the server keeps accepting
 * connections while they run. How many connections an attacker can open in a given time depends on the machine and
 * on what else runs on it, so a flood is not judged by a fixed count per second: this process (the attacker, at its
 * niceness) first measures how fast it opens connections to the same server while nothing attacks it, in the same
 * run, and the flood's own rate must stay within a stated share of that. A server that stalls under the flood
 * (accept loop or event loop blocked) falls far below it.
 */

/** Connections opened in parallel per batch, in the measurement as in the floods. */
export const CONNECT_BATCH = 20;

/**
 * What share of the quiet rate a flood must keep: the attacker also handles the closes of the connections the server
 * drops and holds hundreds open (0.3–1.0 of the quiet rate measured at load averages around 20); a stalled server
 * accepts next to nothing.
 */
export const MIN_FLOOD_RATE_SHARE = 0.2;

/** Times batches of connection opens; `rate` is connections per second of the time spent opening them. */
export class ConnectMeter {
  private opened = 0;
  private spentMs = 0;

  /** Opens `count` connections at once with `open` (failures count as not opened); returns those that opened. */
  async batch<T>(open: () => Promise<T>, count = CONNECT_BATCH): Promise<T[]> {
    const started = performance.now();
    const batch = await Promise.all(Array.from({ length: count }, () => open().catch(() => null)));
    this.spentMs += performance.now() - started;
    const ok = batch.filter((item): item is Awaited<T> & {} => item !== null) as T[];
    this.opened += ok.length;
    return ok;
  }

  get count(): number {
    return this.opened;
  }

  /** Connections per second of opening time (0 before any batch). */
  rate(): number {
    return this.spentMs === 0 ? 0 : (1000 * this.opened) / this.spentMs;
  }
}

/**
 * Connections per second this process opens to a server no one attacks, over `batches` batches of CONNECT_BATCH,
 * each connection closed once its batch is open.
 */
export async function quietConnectRate(open: () => Promise<{ destroy(): void }>, batches = 6): Promise<number> {
  const meter = new ConnectMeter();
  for (let k = 0; k < batches; k++) (await meter.batch(open)).forEach((connection) => connection.destroy());
  return meter.rate();
}

/**
 * How long a flood that must open `needed` connections may run: `minMs`, or three times what the quiet rate needs
 * for them when that is longer (a loaded machine), at most `maxMs`.
 */
export function floodDurationMs(needed: number, quietRate: number, minMs: number, maxMs: number): number {
  const atQuietRate = quietRate > 0 ? (1000 * needed) / quietRate : maxMs;
  return Math.min(maxMs, Math.max(minMs, 3 * atQuietRate));
}

/** One line for the test log: the flood's rate against the quiet one. */
export function describeRates(name: string, flood: ConnectMeter, quietRate: number): string {
  return (
    `${name}: ${flood.count} connections at ${flood.rate().toFixed(0)}/s of opening time, ` +
    `quiet ${quietRate.toFixed(0)}/s (share ${(flood.rate() / quietRate).toFixed(2)}, at least ${MIN_FLOOD_RATE_SHARE} required)`
  );
}
