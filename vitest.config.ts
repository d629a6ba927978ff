import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not the built dist/ output.
    alias: {
      // Before '@vinegym/env-server', which would otherwise take its subpaths as paths under src/index.ts.
      '@vinegym/env-server/embedded': fileURLToPath(new URL('./packages/env-server/src/embedded.ts', import.meta.url)),
      '@vinegym/env-server/render': fileURLToPath(new URL('./packages/env-server/src/viewer/headless.ts', import.meta.url)),
      '@vinegym/rng': src('rng'),
      '@vinegym/protocol': src('protocol'),
      '@vinegym/env-server': src('env-server'),
      '@vinegym/agent': src('agent'),
      '@vinegym/ale': src('ale'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
