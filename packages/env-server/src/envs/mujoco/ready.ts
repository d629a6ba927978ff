/**
 * Loads the MuJoCo WebAssembly module while this module is imported (top-level await), so that the synchronous
 * `createDefaultRegistry()` can offer the MuJoCo envs. Costs ~0.15 s once per process. A failed load does not
 * break the import: the MuJoCo envs then fail at make with the load error (see mujocoRuntime()).
 */
import { loadMujocoRuntime } from './runtime.js';

export const mujocoReady: boolean = await loadMujocoRuntime().then(
  () => true,
  () => false,
);
