/**
 * The cores this process really gets now: `threads` busy threads for a second, their CPU time over wall time.
 * On a shared machine this can be well below the core count, and no worker-thread speed-up can exceed it.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export async function coresAvailable(threads = availableParallelism()): Promise<number> {
  const busy = `const t = Date.now(); let x = 0; while (Date.now() - t < 1000) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x);`;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from(
      { length: threads },
      () => new Promise((resolve) => new Worker(busy, { eval: true }).once('message', resolve)),
    ),
  );
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - start);
}
