// Node module hooks that append the URL of every module loaded to the file named by VINEGYM_LOAD_LOG.
// Registered with `--import` (see module-loads.ts); the hooks run on Node's loader thread.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

if (process.env.VINEGYM_LOAD_LOG && !globalThis.vinegymLoadLogRegistered) {
  globalThis.vinegymLoadLogRegistered = true;
  register(import.meta.url, { data: { log: process.env.VINEGYM_LOAD_LOG } });
}

let log;
export function initialize(data) {
  log = data?.log;
}

export async function load(url, context, next) {
  if (log) appendFileSync(log, `${url}\n`);
  return next(url, context);
}
