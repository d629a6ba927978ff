/**
 * The delay proxy as a process, for running in a network namespace: argv[2] is a JSON array of DelayProxyOptions;
 * prints one JSON line, the listening ports in the same order, then runs until SIGTERM/SIGINT or stdin closes
 * (so it never outlives the process that started it).
 */
import { DelayProxy, type DelayProxyOptions } from './delay-proxy.js';
import { ReleaseClock } from './release-clock.js';

const routes = JSON.parse(process.argv[2] ?? '[]') as Omit<DelayProxyOptions, 'clock'>[];
// One clock (one sleeping worker thread) for all the routes.
const clock = new ReleaseClock();
const proxies = await Promise.all(routes.map((route) => DelayProxy.start({ ...route, clock })));
process.stdout.write(`${JSON.stringify(proxies.map((proxy) => proxy.port))}\n`);
const stop = async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await clock.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
