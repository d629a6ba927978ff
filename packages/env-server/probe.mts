import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { createServer } from './src/server.ts';
import { TestClient } from './test/fixtures/test-client.ts';
const server = await createServer({ port: 0, workers: 0, token: 't' });
const client = await TestClient.open(server.url, 't');
const made = await client.call('make', { env_id: process.argv[2] ?? 'Hopper-v5', seed: 3 });
await client.call('reset', { session_id: made.session_id });
const mode = process.argv[3] ?? 'poses';
const w = new Worker(
  `const { workerData, parentPort } = require('node:worker_threads');
(async () => { let n = 0; const end = Date.now() + 3000;
 while (Date.now() < end) { const r = await fetch(workerData.url, { headers: { authorization: 'Bearer t' } }); await r.arrayBuffer(); n++; await new Promise(r => setTimeout(r, 16)); }
 parentPort.postMessage(n); })();`,
  { eval: true, workerData: { url: server.httpUrl + '/v1/sessions/' + made.session_id + '/frame?mode=' + mode } },
);
await new Promise((r) => setTimeout(r, 300));
const e0 = performance.eventLoopUtilization();
const n = await new Promise((r) => w.once('message', r));
const e = performance.eventLoopUtilization(e0);
console.log(
  process.argv[2],
  'frames',
  n,
  'main-thread active ms per frame',
  (e.active / (n as number)).toFixed(3),
  'utilization',
  e.utilization.toFixed(3),
);
client.close();
await server.close();
