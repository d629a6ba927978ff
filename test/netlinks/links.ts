/**
 * Real network links on one machine: two network namespaces made for the purpose, "agent" and "env", joined by a
 * veth pair with addresses in a private test subnet (10.213.0.1/30 agent side, 10.213.0.2 env side). Processes
 * started through the harness run inside one of the namespaces, so their traffic stays between the two.
 * Everything is removed by cleanup(), which also runs at process exit and on SIGINT/SIGTERM; at start, leftovers
 * of earlier runs whose process is gone (names carry the owner's pid) are removed too.
 *
 * Without root or without `ip`, `LoopbackLinks` offers the same interface on 127.0.0.1 (no veth on the path):
 * callers report which one they got (`kind`, `why`).
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Every namespace and veth the harness makes is named `${PREFIX}<pid><suffix>`. */
export const PREFIX = 'vgnl';
const AGENT_ADDRESS = '10.213.0.1';
const ENV_ADDRESS = '10.213.0.2';

export interface Links {
  readonly kind: 'namespaces' | 'loopback';
  /** Why loopback was chosen, empty for namespaces. */
  readonly why: string;
  /** Address env-side processes listen on and agent-side processes connect to. */
  readonly envHost: string;
  /** Starts a process on the env side / agent side; it is killed at cleanup if still running. */
  spawnEnvSide(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  spawnAgentSide(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Kills the processes started here and removes what was made; safe to call more than once. */
  cleanup(): void;
}

function ip(args: string[]): { ok: boolean; out: string } {
  const run = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: run.status === 0, out: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error?.message ?? ''}` };
}

/** Why namespaces cannot be used here, or null when they can. */
export function namespacesUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add); this process is not root';
  const version = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return '`ip` (iproute2) is not installed';
  return null;
}

/** Whether the kernel has the netem qdisc (checked on a throwaway namespace's loopback). */
export function netemAvailable(links: Links): boolean {
  if (!(links instanceof NamespaceLinks)) return false;
  const probe = spawnSync(
    'ip',
    ['netns', 'exec', links.agentNs, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'],
    {
      encoding: 'utf8',
    },
  );
  return probe.status === 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killNamespaceProcesses(ns: string): void {
  for (const pid of ip(['netns', 'pids', ns])
    .out.split(/\s+/)
    .filter((x) => /^\d+$/.test(x))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Removes namespaces and veths of earlier harness runs whose owning process no longer exists. */
export function removeLeftovers(): string[] {
  const removed: string[] = [];
  const owner = new RegExp(`^${PREFIX}(\\d+)(a|e|va|ve)$`);
  for (const line of ip(['-o', 'netns', 'list']).out.split('\n')) {
    const name = line.split(' ')[0];
    const match = owner.exec(name);
    if (!match || alive(Number(match[1]))) continue;
    killNamespaceProcesses(name);
    if (ip(['netns', 'del', name]).ok) removed.push(name);
  }
  for (const line of ip(['-o', 'link', 'show']).out.split('\n')) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    const match = name ? owner.exec(name) : null;
    if (!match || alive(Number(match[1]))) continue;
    if (ip(['link', 'del', name!]).ok) removed.push(name!);
  }
  return removed;
}

abstract class TrackedLinks {
  private readonly children = new Set<ChildProcess>();
  private cleaned = false;
  private readonly onExit = () => this.cleanup();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  constructor() {
    process.on('exit', this.onExit);
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  protected track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    for (const child of this.children) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.removeNetwork();
  }

  protected abstract removeNetwork(): void;
}

export class NamespaceLinks extends TrackedLinks implements Links {
  readonly kind = 'namespaces';
  readonly why = '';
  readonly envHost = ENV_ADDRESS;
  readonly agentHost = AGENT_ADDRESS;
  readonly agentNs = `${PREFIX}${process.pid}a`;
  readonly envNs = `${PREFIX}${process.pid}e`;
  private readonly agentVeth = `${PREFIX}${process.pid}va`;
  private readonly envVeth = `${PREFIX}${process.pid}ve`;

  /** Makes the namespaces and the veth pair; on any failure removes what was made and throws. */
  static create(): NamespaceLinks {
    removeLeftovers();
    const links = new NamespaceLinks();
    const { agentNs, envNs, agentVeth, envVeth } = links;
    const steps = [
      ['netns', 'add', agentNs],
      ['netns', 'add', envNs],
      ['link', 'add', agentVeth, 'type', 'veth', 'peer', 'name', envVeth],
      ['link', 'set', agentVeth, 'netns', agentNs],
      ['link', 'set', envVeth, 'netns', envNs],
      ['-n', agentNs, 'addr', 'add', `${AGENT_ADDRESS}/30`, 'dev', agentVeth],
      ['-n', envNs, 'addr', 'add', `${ENV_ADDRESS}/30`, 'dev', envVeth],
      ['-n', agentNs, 'link', 'set', 'lo', 'up'],
      ['-n', envNs, 'link', 'set', 'lo', 'up'],
      ['-n', agentNs, 'link', 'set', agentVeth, 'up'],
      ['-n', envNs, 'link', 'set', envVeth, 'up'],
    ];
    for (const step of steps) {
      const result = ip(step);
      if (!result.ok) {
        links.cleanup();
        throw new Error(`ip ${step.join(' ')} failed: ${result.out.trim()}`);
      }
    }
    return links;
  }

  /** Names of the namespaces and veths this harness made (for checks that they are gone). */
  get names(): string[] {
    return [this.agentNs, this.envNs, this.agentVeth, this.envVeth];
  }

  spawnEnvSide(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    return this.track(spawn('ip', ['netns', 'exec', this.envNs, command, ...args], options));
  }

  spawnAgentSide(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    return this.track(spawn('ip', ['netns', 'exec', this.agentNs, command, ...args], options));
  }

  protected removeNetwork(): void {
    for (const ns of [this.agentNs, this.envNs]) {
      killNamespaceProcesses(ns);
      ip(['netns', 'del', ns]);
    }
    // The veths go with their namespace; one left in the root namespace by a failed setup goes here.
    for (const veth of [this.agentVeth, this.envVeth]) {
      if (ip(['link', 'show', veth]).ok) ip(['link', 'del', veth]);
    }
  }
}

export class LoopbackLinks extends TrackedLinks implements Links {
  readonly kind = 'loopback';
  readonly envHost = '127.0.0.1';

  constructor(readonly why: string) {
    super();
  }

  spawnEnvSide(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    return this.track(spawn(command, args, options));
  }

  spawnAgentSide(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    return this.track(spawn(command, args, options));
  }

  protected removeNetwork(): void {}
}

/** Namespaces where allowed, else loopback (with the reason). */
export function openLinks(): Links {
  const why = namespacesUnavailable();
  return why === null ? NamespaceLinks.create() : new LoopbackLinks(why);
}

/** Runs `body` with fresh links and cleans them up afterwards, whether it returns or throws. */
export async function withLinks<T>(body: (links: Links) => Promise<T>): Promise<T> {
  const links = openLinks();
  try {
    return await body(links);
  } finally {
    links.cleanup();
  }
}

/** Reads the first line a child prints on stdout (bounded by timeoutMs). */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no output within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, end));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing a line; stderr: ${err.slice(-2000)}`));
    });
  });
}
