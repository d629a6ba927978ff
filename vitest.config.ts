import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/**
 * The adversarial suites (test/adversarial) judge other clients' latency and the attacker's throughput while the
 * server under attack shares the machine's cores. They run as a project of their own, after every other test file
 * has finished (a higher groupOrder), one file after another in a single fork, so that neither each other nor the
 * rest of the suite competes with the server they measure.
 */
const ADVERSARIAL = 'test/adversarial/**/*.test.ts';

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not the built dist/ output.
    alias: {
      // Before '@vinegym/env-server', which would otherwise take its subpaths as paths under src/index.ts.
      '@vinegym/env-server/embedded': fileURLToPath(new URL('./packages/env-server/src/embedded.ts', import.meta.url)),
      '@vinegym/env-server/render': fileURLToPath(
        new URL('./packages/env-server/src/viewer/headless.ts', import.meta.url),
      ),
      '@vinegym/rng': src('rng'),
      '@vinegym/protocol': src('protocol'),
      '@vinegym/env-server': src('env-server'),
      '@vinegym/agent': src('agent'),
      '@vinegym/ale': src('ale'),
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [ADVERSARIAL, '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'adversarial',
          include: [ADVERSARIAL],
          sequence: { groupOrder: 1 },
          // One fork runs the files in turn; each file still gets a fresh process (isolate), so the niceness the
          // attacker takes on (harness/attack.ts) does not carry over to the next file's server.
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
