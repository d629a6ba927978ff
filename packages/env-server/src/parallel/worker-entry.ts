/**
 * The entry module of a slice worker thread (see slice-worker.ts). Before anything loads the MuJoCo runtime, it
 * hands the runtime the main thread's compiled mujoco-js module, so the thread instantiates it instead of decoding
 * and compiling the embedded binary again (~0.3 s and ~10 MB per thread); then it runs slice-server.
 */
import { workerData } from 'node:worker_threads';
import { useCompiledMujocoModule } from '../envs/mujoco/runtime.js';
import type { SliceWorkerData } from './worker-messages.js';

const { mujocoModule } = workerData as SliceWorkerData;
if (mujocoModule !== null) useCompiledMujocoModule(mujocoModule);
await import('./slice-server.js');
