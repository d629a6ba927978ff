// The image's HEALTHCHECK: exits 0 when GET /healthz of the server in this container answers 200 {"status":"ok"},
// else 1 with the reason on stderr (refused, timed out, or 503 "shutting_down" while it drains on SIGTERM).
// PORT as the server's (default 8765); VINEGYM_HEALTHCHECK_URL replaces the whole URL (e.g. https:// with TLS).
const url = process.env.VINEGYM_HEALTHCHECK_URL ?? `http://127.0.0.1:${process.env.PORT ?? '8765'}/healthz`;
const timeoutMs = Number(process.env.VINEGYM_HEALTHCHECK_TIMEOUT_MS ?? 3000);
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let status;
  try {
    status = JSON.parse(text).status;
  } catch {
    status = undefined;
  }
  if (response.status === 200 && status === 'ok') process.exit(0);
  console.error(`healthcheck: ${url} answered ${response.status} ${text.slice(0, 200)}`);
} catch (error) {
  console.error(`healthcheck: ${url}: ${error.cause?.code ?? error.name}: ${error.message}`);
}
process.exit(1);
