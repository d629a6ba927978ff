import { readFileSync } from 'node:fs';

/**
 * This package's version, read from its package.json (the one source of it). The path is the same from src/ and
 * from dist/, which sit side by side in the package.
 */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
