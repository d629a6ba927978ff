/**
 * Imported first by worker-entry, before anything loads the MuJoCo runtime: hands the runtime the main thread's
 * compiled mujoco-js module, so the thread instantiates it instead of decoding and compiling the embedded binary
 * again (~0.3 s and ~10 MB per thread).
 */
import { workerData } from 'node:worker_threads';
import { useCompiledMujocoModule } from '../envs/mujoco/runtime.js';
import type { SliceWorkerData } from './worker-messages.js';

const { mujocoModule } = workerData as SliceWorkerData;
if (mujocoModule !== null) useCompiledMujocoModule(mujocoModule);
