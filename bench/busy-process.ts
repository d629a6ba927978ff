/**
 * A process that keeps a CPU busy in bursts, for bench:viewer's control cases: it stands in for a browser that
 * draws on another CPU, without any viewer. Told over IPC (`process.send`) what to do:
 *   { cpu, fps, memory }   every 1/fps s, compute for cpu/fps s (cpu = CPU seconds per second, 0..1), in one burst
 *                          as a browser draws a frame; `memory: true` streams through a buffer twice the size of a
 *                          typical L3 cache (copying 1 MiB blocks), `false` computes in a few kB of cache-resident
 *                          data (pure CPU time);
 *   'off'                  idle (a 20 ms poll of its own flag, nothing else).
 * It ends when its parent disconnects.
 */
interface Burn {
  cpu: number;
  fps: number;
  memory: boolean;
}

const BUFFER_BYTES = 64 << 20;
const BLOCK = (1 << 20) / 8; // 1 MiB of float64
const buffer = new Float64Array(BUFFER_BYTES / 8).fill(1);
const small = new Float64Array(512).fill(1);
let offset = 0;
let sink = 0;

/** About a millisecond's work: a block copied through memory, or arithmetic on data in the L1 cache. */
function work(memory: boolean): void {
  if (memory) {
    const from = offset;
    offset = (offset + 2 * BLOCK) % (buffer.length - BLOCK);
    buffer.copyWithin(offset, from, from + BLOCK);
  } else {
    for (let repeat = 0; repeat < 200; repeat++)
      for (let i = 0; i < small.length; i++) small[i] = small[i] * 0.999 + 0.001;
  }
  sink += buffer[offset] + small[0];
}

let burn: Burn | null = null;
process.on('message', (message: Burn | 'off') => {
  burn = message === 'off' ? null : message;
});
process.on('disconnect', () => process.exit(sink === Infinity ? 1 : 0));

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
for (;;) {
  const current = burn as Burn | null;
  if (current === null) {
    await sleep(20);
    continue;
  }
  const period = 1000 / current.fps;
  const start = performance.now();
  // CPU time, not wall time: a burst that waits for the CPU still uses what a browser's frame would.
  const cpuUntil = cpuMs() + current.cpu * period;
  while (cpuMs() < cpuUntil) work(current.memory);
  await sleep(Math.max(0, start + period - performance.now()));
}
