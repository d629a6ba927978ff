/**
 * Discovery: `dns:<name>:<port>` in the server list stands for every A/AAAA record of <name> (e.g. a Kubernetes
 * headless Service), re-resolved periodically. A server that appears gets a vector env appended to the env list
 * (samplers take it from their next batch on); a server whose record vanishes is withdrawn: it finishes the batch it
 * is in, then sits out like a server that went away, and rejoins if its record comes back.
 */
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import type { RecoverableVectorEnv } from '../env/interruption.js';
import type { ResetOptions, VectorEnv } from '../env/vector-env.js';
import type { NDArray, SpaceValue } from '@vinegym/protocol';
import type { ResilientVectorEnv } from './resilient-vector-env.js';

/** A `--server` entry: a ws:// or wss:// URL, or a DNS name whose records are the servers. */
export type ServerSpec = { kind: 'url'; url: string } | { kind: 'dns'; name: string; port: number };

export function parseServerSpec(spec: string): ServerSpec {
  if (!spec.startsWith('dns:')) return { kind: 'url', url: spec };
  const rest = spec.slice('dns:'.length);
  const colon = rest.lastIndexOf(':');
  const name = colon > 0 ? rest.slice(0, colon) : '';
  const port = Number(rest.slice(colon + 1));
  if (!name || name.includes(':') || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `server ${JSON.stringify(spec)}: expected dns:<name>:<port>, e.g. dns:vinegym-envs.default.svc.cluster.local:8765`,
    );
  }
  return { kind: 'dns', name, port };
}

/** The ws URL of a server at `address` (IPv4 or IPv6) and `port`. */
export function serverUrl(address: string, port: number): string {
  return `ws://${isIPv6(address) ? `[${address}]` : address}:${port}/v1/ws`;
}

/** Returns the addresses a name has now; [] when it has none. Throws on a failed lookup (kept: the last answer). */
export type Resolver = (name: string) => Promise<string[]>;

/**
 * The system resolver (getaddrinfo: /etc/hosts and the search domains of resolv.conf apply, so a Service's short
 * name works inside its namespace): all A and AAAA records, sorted. A name that does not exist has no addresses.
 */
export const systemResolver: Resolver = async (name) => {
  try {
    const records = await lookup(name, { all: true, verbatim: true });
    return [...new Set(records.map((r) => r.address))].sort();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    throw err;
  }
};

/** A server's env as discovery hands it out: a ResilientVectorEnv that can be withdrawn while its record is gone. */
export class DiscoveredVectorEnv implements RecoverableVectorEnv {
  private listed = true;

  constructor(
    readonly env: ResilientVectorEnv,
    private readonly onClose: () => void,
  ) {}

  get url(): string {
    return this.env.url;
  }
  get spec() {
    return this.env.spec;
  }
  get numEnvs(): number {
    return this.env.numEnvs;
  }
  /** Whether the server is listed and connected; a withdrawn env is unavailable even while its session lives. */
  get available(): boolean {
    return this.listed && this.env.available;
  }
  get withdrawn(): boolean {
    return !this.listed;
  }

  /** The record vanished: from the next batch on this env sits out (its session is released at `recover`). */
  withdraw(): void {
    this.listed = false;
  }

  /** The record is back: the next `recover` reconnects. */
  relist(): void {
    this.listed = true;
  }

  /** Reconnects while listed; while withdrawn releases the session (the server may be draining) and says false. */
  async recover(maxAttempts?: number): Promise<boolean> {
    if (!this.listed) {
      await this.env.release();
      return false;
    }
    return this.env.recover(maxAttempts);
  }

  reset(options?: ResetOptions) {
    return this.env.reset(options);
  }
  step(actions: SpaceValue) {
    return this.env.step(actions);
  }
  snapshot(envIndices: number[]) {
    return this.env.snapshot(envIndices);
  }
  restore(envIndex: number, snapshot: Uint8Array) {
    return this.env.restore(envIndex, snapshot);
  }
  render(envIndex: number): Promise<NDArray<'uint8'>> {
    return this.env.render(envIndex);
  }
  async close(): Promise<void> {
    this.onClose();
    await this.env.close();
  }
}

export interface DiscoveryOptions {
  /** The `dns:` entries to follow. */
  names: { name: string; port: number }[];
  /** The env list to append discovered servers' envs to (the static servers' envs come first). */
  envs: VectorEnv[];
  /**
   * Opens the envs of a new server: one per group of its slots (pipeline groups, see docs/latency.md), each with one
   * connection attempt (a server that refuses is tried at the next refresh). `serverIndex` is the place the server
   * takes among all servers, static ones first (for its seeds).
   */
  connect: (url: string, serverIndex: number) => Promise<ResilientVectorEnv[]>;
  /** Default: the system resolver. */
  resolver?: Resolver;
  /** Re-resolve period in ms. Default 10000. */
  intervalMs?: number;
  /** For logs: a server appeared, vanished, came back, or a lookup failed. Default: nothing. */
  log?: (line: string) => void;
}

/**
 * Follows DNS names and keeps `envs` in step with their records. `start` resolves once (waiting for the first
 * server up to a deadline), then re-resolves every `intervalMs` until `stop()` — which closing any env it handed out
 * also does, since whoever closes envs is done with discovery.
 */
export class ServerDiscovery {
  /** Each discovered server's envs, one per group of its slots. */
  private readonly byUrl = new Map<string, DiscoveredVectorEnv[]>();
  /** URLs of the static servers, never added again when a name lists them too. */
  private readonly staticUrls = new Set<string>();
  /** Listed servers that did not answer and were reported so. */
  private readonly silent = new Set<string>();
  /** Last successful answer per name, kept when a later lookup fails. */
  private readonly lastAnswer = new Map<string, string[]>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;
  private readonly resolver: Resolver;
  private readonly log: (line: string) => void;

  constructor(private readonly options: DiscoveryOptions) {
    this.resolver = options.resolver ?? systemResolver;
    this.log = options.log ?? (() => undefined);
    for (const env of options.envs) {
      const url = (env as { url?: unknown }).url;
      if (typeof url === 'string') this.staticUrls.add(url);
    }
  }

  /** The envs of discovered servers, in the order they were found. */
  get discovered(): DiscoveredVectorEnv[] {
    return [...this.byUrl.values()].flat();
  }

  /**
   * First resolution: retries (every `intervalMs`, at most until `waitMs` has passed) until the env list has at
   * least one env; then starts the periodic re-resolution. Throws when the deadline passes with no env.
   */
  async start(waitMs: number): Promise<void> {
    const deadline = performance.now() + waitMs;
    await this.refresh();
    while (this.options.envs.length === 0) {
      if (performance.now() >= deadline) {
        const names = this.options.names.map((n) => `dns:${n.name}:${n.port}`).join(', ');
        throw new Error(`no env server found at ${names} within ${waitMs / 1000} s`);
      }
      await sleep(Math.min(this.intervalMs, Math.max(0, deadline - performance.now())));
      await this.refresh();
    }
    this.schedule();
  }

  /** Resolves every name once and applies the answer (appears: connect and append; vanishes: withdraw). */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private get intervalMs(): number {
    return this.options.intervalMs ?? 10_000;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh().then(() => this.schedule()), this.intervalMs);
    this.timer.unref(); // discovery alone never keeps a process alive
  }

  private async refreshOnce(): Promise<void> {
    const listed = new Set<string>();
    for (const { name, port } of this.options.names) {
      const key = `${name}:${port}`;
      try {
        this.lastAnswer.set(
          key,
          (await this.resolver(name)).map((address) => serverUrl(address, port)),
        );
      } catch (err) {
        // A failed lookup says nothing about the servers: keep the last answer of this name.
        this.log(`discovery: looking up ${name} failed (${(err as Error).message}); keeping its last answer`);
      }
      for (const url of this.lastAnswer.get(key) ?? []) listed.add(url);
    }
    if (this.stopped) return;
    for (const env of this.discovered) {
      if (listed.has(env.url) && env.withdrawn) {
        env.relist();
        this.log(`discovery: ${env.url} is listed again`);
      } else if (!listed.has(env.url) && !env.withdrawn) {
        env.withdraw();
        this.log(`discovery: ${env.url} is no longer listed; it sits out from the next batch`);
      }
    }
    const fresh = [...listed].filter((url) => !this.byUrl.has(url) && !this.staticUrls.has(url));
    const serversBefore = this.staticUrls.size + this.byUrl.size;
    const opened = await Promise.all(
      fresh.map((url, k) => this.options.connect(url, serversBefore + k).catch((err: unknown) => err as Error)),
    );
    fresh.forEach((url, k) => {
      const env = opened[k];
      if (env instanceof Error) {
        if (!this.silent.has(url))
          this.log(`discovery: ${url} is listed but does not answer (${env.message}); trying again at each lookup`);
        this.silent.add(url); // said once, not every 10 s
        return;
      }
      if (this.stopped) {
        for (const group of env) void group.close();
        return;
      }
      const discovered = env.map((group) => new DiscoveredVectorEnv(group, () => this.stop()));
      this.byUrl.set(url, discovered);
      this.options.envs.push(...discovered);
      const count = this.staticUrls.size + this.byUrl.size;
      this.log(`discovery: ${url} joined (${count} server${count === 1 ? '' : 's'})`);
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
