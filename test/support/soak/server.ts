/**
 * The server process of scripts/soak.ts: a vinegym server on 127.0.0.1 run with --expose-gc, that tells its parent
 * (over the fork IPC channel) its URL and, on request, its memory after a full garbage collection.
 */
import { createServer } from '@vinegym/env-server';

const server = await createServer({ host: '127.0.0.1', port: 0, maxConnections: 512 });
const gc = (globalThis as { gc?: () => void }).gc;
process.send!({ type: 'ready', url: server.url, httpUrl: server.httpUrl });
process.on('message', (message: { type: string }) => {
  if (message.type === 'measure') {
    gc?.();
    gc?.();
    process.send!({
      type: 'measured',
      memory: process.memoryUsage(),
      stats: server.service.stats(),
      connections: server.connections,
      gc: gc !== undefined,
    });
  } else if (message.type === 'stop') {
    void server.close().then(() => process.exit(0));
  }
});
