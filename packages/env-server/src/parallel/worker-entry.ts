/**
 * The entry module of a slice worker thread (see slice-worker.ts): the main thread's compiled MuJoCo module first
 * (ES modules evaluate in import order), then slice-server.
 */
import './use-main-mujoco.js';
import './slice-server.js';
