/**
 * Sums V8 CPU profiles (`node --cpu-prof`, one .cpuprofile per thread: the main thread and every worker) into the
 * parts a reader asks about: each sample goes to the innermost frame on its stack that matches one of the `--part`
 * patterns (so the parts do not overlap), the rest to "other". Also prints each profile's heaviest frames by self
 * time, with WebAssembly frames summed into one line (mujoco-js's module carries no function names).
 *
 *   tsx bench/cpu-profile-summary.ts <dir or .cpuprofile>... [--top 12]
 *       [--part 'simulator=^step sim\.ts$'] [--part 'observation=^observe '] ...
 *
 * A frame is matched as "<function name> <file name>", e.g. "step sim.ts", "act mlp-policies.ts". Samples in
 * V8's pseudo-frames ("(idle)", "(program)", "(garbage collector)") get parts of their own; time a thread spends
 * blocked in Atomics.wait is sampled as running in the frame that waits, so match that frame to keep it apart.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Part {
  name: string;
  pattern: RegExp;
}

const args = process.argv.slice(2);
const files: string[] = [];
const parts: Part[] = [];
let top = 12;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--part') {
    const [name, ...pattern] = args[++i]!.split('=');
    parts.push({ name: name!, pattern: new RegExp(pattern.join('=')) });
  } else if (statSync(args[i]!).isDirectory()) {
    for (const file of readdirSync(args[i]!).sort()) {
      if (file.endsWith('.cpuprofile')) files.push(join(args[i]!, file));
    }
  } else files.push(args[i]!);
}

/** V8's frames that stand for no function; each is a part of its own. "(root)" holds the rest. */
const PSEUDO_FRAMES = new Set(['(root)', '(idle)', '(program)', '(garbage collector)']);

/** "<function name> <file name>" of a frame; WebAssembly frames all read "(wasm)". */
function frameKey(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (url.startsWith('wasm://') || functionName.startsWith('wasm-function') || functionName.startsWith('$')) {
    return '(wasm)';
  }
  if (url === '' && PSEUDO_FRAMES.has(functionName)) return functionName;
  return `${functionName || '(anonymous)'} ${basename(url)}`;
}

function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // The part of each node: its own frame's if it matches, else its parent's (memoized walk towards the root).
  const partOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = partOf.get(id);
    if (known !== undefined) return known;
    const key = frameKey(byId.get(id)!);
    const own = PSEUDO_FRAMES.has(key) && key !== '(root)' ? key : parts.find((part) => part.pattern.test(key))?.name;
    const up = parent.get(id);
    const part = own ?? (up === undefined ? 'other' : resolve(up));
    partOf.set(id, part);
    return part;
  };
  const partMs = new Map<string, number>();
  const selfMs = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; the time after it (the next delta) is what it stands for.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    totalMs += ms;
    const part = resolve(id);
    partMs.set(part, (partMs.get(part) ?? 0) + ms);
    const key = frameKey(byId.get(id)!);
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
  });
  const busyMs = totalMs - (partMs.get('(idle)') ?? 0);
  const line = (name: string, ms: number) =>
    `| ${name} | ${ms.toFixed(0)} | ${((100 * ms) / Math.max(busyMs, 1e-9)).toFixed(1)} % |`;
  console.log(
    `\n### ${basename(file)}: ${(totalMs / 1000).toFixed(1)} s sampled, ${(busyMs / 1000).toFixed(1)} s not idle`,
  );
  console.log('\n| part | ms | of not idle |\n|---|---:|---:|');
  const ordered = [...partMs].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]);
  for (const [name, ms] of ordered) console.log(line(name, ms));
  console.log('\n| heaviest frames (self time) | ms | of not idle |\n|---|---:|---:|');
  const heaviest = [...selfMs].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]);
  for (const [name, ms] of heaviest.slice(0, top)) console.log(line(name, ms));
}

for (const file of files) summarize(file);
