/**
 * A TCP proxy that adds latency and a rate limit, for measuring the agent across links slower than loopback on a
 * kernel without the netem qdisc. Every chunk read on one side is written to the other side rttMs / 2 later
 * (so a request and its answer pay rttMs in all), after first taking length / rate on a link that sends one
 * chunk at a time per direction, as a link of that rate and latency would. Order is kept; an end of stream is
 * delayed like data, so half-closes pass through.
 *
 * Node timers fire with ~1 ms granularity, too coarse for a 0.1 ms one-way delay, and spinning until a release
 * takes a core from the agent that a real link does not: releases are timed by a ReleaseClock (a worker thread
 * asleep until the next one, on time to a few tens of microseconds when the machine is idle).
 */
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ReleaseClock } from './release-clock.js';

export interface DelayProxyOptions {
  /** Where accepted connections are forwarded. */
  target: { host: string; port: number };
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on, 0 for any free port (default 0). */
  port?: number;
  /** Round-trip time the proxy adds, ms; each direction holds data rttMs / 2 (default 0). */
  rttMs?: number;
  /** Bytes per second in each direction of each connection; 0 = unlimited (default 0). */
  rateBytesPerSecond?: number;
  /** Times the releases; one clock can serve several proxies. Default: a clock of the proxy's own. */
  clock?: ReleaseClock;
}

/** Bytes queued in one direction above which the proxy stops reading that side, to bound its memory. */
const HIGH_WATER_BYTES = 4 << 20;

/** One direction of one connection: data read from `from`, written to `to` after the delay. */
class DelayedPipe {
  private readonly queue: { at: number; data: Buffer | null }[] = [];
  private queuedBytes = 0;
  /** When the rate-limited link finishes sending what it was given so far, ms (performance.now clock). */
  private linkFreeAt = 0;
  /** Release time of the last queued chunk: releases never overtake one another. */
  private lastRelease = 0;
  private waiting = false;
  private readonly wake = () => {
    this.waiting = false;
    this.release();
  };

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly oneWayMs: number,
    private readonly rate: number,
    private readonly clock: ReleaseClock,
  ) {
    from.on('data', (data: Buffer) => this.push(data));
    from.on('end', () => this.push(null));
  }

  /** `null` stands for the end of the stream. */
  private push(data: Buffer | null): void {
    const now = performance.now();
    // Like a link: a chunk is sent once the link is free, takes length / rate to send, then oneWayMs to arrive.
    let sent = now;
    if (data && this.rate > 0) {
      sent = Math.max(now, this.linkFreeAt) + (1000 * data.length) / this.rate;
      this.linkFreeAt = sent;
    }
    const at = Math.max(sent + this.oneWayMs, this.lastRelease);
    this.lastRelease = at;
    this.queue.push({ at, data });
    if (data) {
      this.queuedBytes += data.length;
      if (this.queuedBytes > HIGH_WATER_BYTES) this.from.pause();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.waiting || this.queue.length === 0) return;
    this.waiting = true;
    const { at } = this.queue[0];
    if (at > performance.now()) this.clock.wakeAt(at, this.wake);
    else setImmediate(this.wake);
  }

  private release(): void {
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0].at <= now) {
      const { data } = this.queue.shift()!;
      if (this.to.destroyed) return;
      if (data === null) {
        this.to.end();
        continue;
      }
      this.queuedBytes -= data.length;
      this.to.write(data);
      if (this.queuedBytes <= HIGH_WATER_BYTES && this.from.isPaused()) this.from.resume();
    }
    this.schedule();
  }
}

export class DelayProxy {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    /** The proxy's own clock, closed with it; null when the caller passed one. */
    private readonly ownClock: ReleaseClock | null,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Connections open right now (each counts once, whichever side is still open). */
  get connections(): number {
    return this.sockets.size / 2;
  }

  static async start(options: DelayProxyOptions): Promise<DelayProxy> {
    const oneWayMs = (options.rttMs ?? 0) / 2;
    const rate = options.rateBytesPerSecond ?? 0;
    const ownClock = options.clock ? null : new ReleaseClock();
    const clock = options.clock ?? ownClock!;
    const sockets = new Set<Socket>();
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      const upstream = connect({ ...options.target, allowHalfOpen: true, noDelay: true });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // A reset or failure on one side resets the other; a clean end travels through the delay like data, so
        // that data still in flight is delivered first.
        socket.on('error', () => (socket === client ? upstream : client).resetAndDestroy());
      }
      new DelayedPipe(client, upstream, oneWayMs, rate, clock);
      new DelayedPipe(upstream, client, oneWayMs, rate, clock);
    });
    const host = options.host ?? '127.0.0.1';
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, resolve);
      });
    } catch (err) {
      await ownClock?.close();
      throw err;
    }
    return new DelayProxy(server, sockets, ownClock, host, (server.address() as AddressInfo).port);
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.ownClock?.close();
  }
}
