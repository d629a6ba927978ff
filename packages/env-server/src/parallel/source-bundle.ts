/**
 * The code of a slice worker thread when the server runs from its TypeScript sources (tsx, vitest, `pnpm run server`).
 * A thread cannot import worker-entry.ts by itself, and registering tsx's loader in each thread costs seconds and
 * ~100 MB per thread (Node runs a loader's hooks on a thread of their own, which transforms every module again).
 * So the thread's code is bundled once per process with esbuild, which tsx itself depends on: our TypeScript
 * sources (with the `source` export condition) become one ES module in memory, third-party packages stay imports of
 * their absolute file: URLs, and each thread starts from that module as a data: URL. Each file's `import.meta.url`
 * and `import.meta.dirname` are replaced by its own, as the bundle's would be a data: URL.
 *
 * Only built-in envs go this way; a plug-in module may be TypeScript itself, so its threads keep tsx's loader.
 */
import { readFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let bundled: Promise<URL> | null = null;

/** A data: URL of the bundled worker entry; built on first use, then the same for every thread. */
export function sourceWorkerUrl(): Promise<URL> {
  bundled ??= bundle().catch((error: unknown) => {
    bundled = null;
    throw error;
  });
  return bundled;
}

/** The subset of esbuild's API used here (esbuild comes untyped through tsx). */
interface Esbuild {
  build(options: object): Promise<{ outputFiles: { text: string }[] }>;
}
interface PluginBuild {
  onResolve(filter: { filter: RegExp }, callback: (args: ResolveArgs) => Promise<object | undefined>): void;
  onLoad(filter: { filter: RegExp }, callback: (args: { path: string }) => Promise<object>): void;
  resolve(
    path: string,
    options: { kind: string; resolveDir: string; pluginData: unknown },
  ): Promise<{ path: string; errors: object[] }>;
}
interface ResolveArgs {
  path: string;
  kind: string;
  resolveDir: string;
  pluginData: unknown;
}

const RESOLVING = Symbol('resolving');

async function bundle(): Promise<URL> {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const esbuild = (await import(pathToFileURL(createRequire(tsx).resolve('esbuild')).href)) as Esbuild;
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./worker-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['source'],
    logLevel: 'silent',
    plugins: [
      {
        name: 'vinegym-worker',
        setup(build: PluginBuild) {
          // Third-party packages: left to Node, by absolute URL (a data: URL module has no directory to resolve from).
          build.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData === RESOLVING || args.path.startsWith('@vinegym/')) return undefined;
            if (args.path.startsWith('node:') || builtinModules.includes(args.path))
              return { path: args.path, external: true };
            const resolved = await build.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              pluginData: RESOLVING,
            });
            if (resolved.errors.length > 0) return { errors: resolved.errors };
            return { path: pathToFileURL(resolved.path).href, external: true };
          });
          build.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
            const source = await readFile(path, 'utf8');
            const contents = source
              .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
              .replaceAll('import.meta.dirname', JSON.stringify(dirname(path)));
            return { contents, loader: 'ts' };
          });
        },
      },
    ],
  });
  return new URL(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
}
