/**
 * Loading env plug-ins: ES modules that contribute env definitions to a registry. See PLUGINS.md.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EnvDefinition } from './env.js';
import type { EnvRegistry } from './registry.js';

/** What a plug-in module exports (as `default` or as `envs`). */
export type PluginExport = readonly EnvDefinition[] | ((registry: EnvRegistry) => void | Promise<void>);

/**
 * Imports `moduleSpecifier` and registers what it exports. A specifier that starts with `.` or `/` (or names
 * an existing file) is a path resolved against `cwd`; anything else is a package name, resolved first from
 * this package and then from `cwd`. Returns the ids the plug-in added.
 */
export async function loadPlugin(
  registry: EnvRegistry,
  moduleSpecifier: string,
  options: { cwd?: string } = {},
): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  const { module: imported, url } = await importPlugin(moduleSpecifier, cwd);
  const module = imported as { default?: unknown; envs?: unknown };
  const exported = module.envs ?? module.default;
  const before = new Set(registry.list().map((d) => d.id));
  if (typeof exported === 'function') {
    await (exported as (registry: EnvRegistry) => unknown)(registry);
  } else if (Array.isArray(exported)) {
    for (const definition of exported as EnvDefinition[]) registry.register(definition);
  } else {
    throw new Error(
      `plug-in ${moduleSpecifier} must export (as default or as 'envs') an array of EnvDefinition or a function (registry) => void`,
    );
  }
  const added = registry
    .list()
    .map((d) => d.id)
    .filter((id) => !before.has(id));
  for (const id of added) registry.setPluginModule(id, url);
  return added;
}

/** The module and what was imported (a file: URL or a package name), which another thread can import again. */
async function importPlugin(specifier: string, cwd: string): Promise<{ module: unknown; url: string }> {
  const path = isAbsolute(specifier) ? specifier : resolve(cwd, specifier);
  if (specifier.startsWith('.') || isAbsolute(specifier) || existsSync(path)) {
    const url = pathToFileURL(path).href;
    return { module: await import(url), url };
  }
  if (specifier.startsWith('file:')) return { module: await import(specifier), url: specifier };
  try {
    return { module: await import(specifier), url: specifier };
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    // Not visible from this package: resolve it as the user's project would.
    const url = pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve(specifier)).href;
    return { module: await import(url), url };
  }
}
