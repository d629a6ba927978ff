/**
 * Other processes' CPU use and CPU pinning for benchmarks (Linux: /proc and util-linux's `taskset`; elsewhere the
 * CPU figures are 0 and pinning is unavailable).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** `stat` fields after the command name: state is [0], ppid [1], utime [11], stime [12] (proc(5)). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far; 0 where unavailable. Clock ticks are 100 per second. */
export function processCpuSeconds(pid: number): number {
  const { user, system } = processCpuTimes(pid);
  return user + system;
}

/** processCpuSeconds split into user and system (kernel) seconds. */
export function processCpuTimes(pid: number): { user: number; system: number } {
  const fields = statFields(pid);
  return fields === null
    ? { user: 0, system: 0 }
    : { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** Every live process below `root` (children, grandchildren, ...), not `root` itself. */
export function descendantPids(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const name of entries) {
    const ppid = Number(statFields(Number(name))?.[1] ?? -1);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      found.push(child);
      stack.push(child);
    }
  }
  return found;
}

/** CPU seconds used so far by the processes below `root` (e.g. a browser this process started). */
export function descendantsCpuSeconds(root: number): number {
  return descendantPids(root).reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
}

/** The CPUs this process may run on (taskset's list syntax, e.g. "0-1"), or null when `taskset` is unavailable. */
export function allowedCpus(): string | null {
  try {
    const out = execFileSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
    return out.slice(out.lastIndexOf(':') + 1).trim();
  } catch {
    return null;
  }
}

/** Expands a taskset list ("0-2,5") into CPU numbers. */
export function cpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    return Array.from({ length: (to ?? from) - from + 1 }, (_, k) => from + k);
  });
}

/** Pins every thread of each process to the CPUs in `cpus` (taskset's list syntax, e.g. "0" or "0,1"). */
export function pin(pids: number[], cpus: string): void {
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    } catch {
      // A process that ended meanwhile (Chromium's short-lived helpers) needs no pinning.
    }
  }
}

/** The thread ids of a process (its main thread's id is the pid); [] where unavailable. */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/**
 * Nanoseconds one thread has run on a CPU so far (schedstat's first field: exact, unlike stat's 10 ms ticks);
 * 0 where unavailable. The main thread of a process has `tid` = pid.
 */
export function threadCpuNs(pid: number, tid = pid): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

/** Nanoseconds all live threads of a process have run so far (see threadCpuNs). */
export function processCpuNs(pid: number): number {
  return threadIds(pid).reduce((sum, tid) => sum + threadCpuNs(pid, tid), 0);
}

/**
 * Sets the nice value of every thread of each process (on Linux nice is per thread). False when any could not be
 * set: lowering a nice value needs root (CAP_SYS_NICE).
 */
export function renice(pids: number[], nice: number): boolean {
  let ok = true;
  for (const pid of pids) {
    for (const tid of threadIds(pid)) {
      try {
        setPriority(tid, nice);
      } catch {
        ok = false;
      }
    }
  }
  return ok;
}
