/**
 * The source of an MJCF sandbox thread (see mjcf-sandbox.ts), run with `new Worker(source, { eval: true })`. It is
 * plain JavaScript in a string so that the thread needs no TypeScript loader (which would cost seconds and ~100 MB
 * per thread when the server runs from its sources) and imports nothing of ours.
 *
 * workerData: { mujocoUrl, wasmModule, xml, heapLimitBytes }. The thread instantiates the main thread's compiled
 * mujoco-js module with its heap growth capped: the import through which Emscripten grows memory refuses to go past
 * heapLimitBytes, so MuJoCo's allocations fail (std::bad_alloc, or an abort) instead of growing the process. It
 * posts { type: 'heapLimit' } when that happens, { type: 'loaded' } before compiling, and then either
 * { type: 'compiled', narena, nbuffer, modelBytes, compileMs } or { type: 'rejected', message }.
 */
export const MJCF_SANDBOX_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { mujocoUrl, wasmModule, xml, heapLimitBytes } = workerData;
const output = [];
const remember = (line) => {
  output.push(String(line));
  if (output.length > 20) output.shift();
};
let heapLimitHit = false;

function instantiateWasm(imports, done) {
  const grow = imports.env.emscripten_resize_heap;
  if (typeof grow !== 'function') throw new Error('mujoco-js has no emscripten_resize_heap import to cap');
  imports.env.emscripten_resize_heap = (size) => {
    if (size >>> 0 > heapLimitBytes) {
      if (!heapLimitHit) parentPort.postMessage({ type: 'heapLimit' });
      heapLimitHit = true;
      return 0;
    }
    return grow(size);
  };
  WebAssembly.instantiate(wasmModule, imports).then((instance) => done(instance, wasmModule));
  return {};
}

// MuJoCo's parser and compiler throw C++ structs whose first member is char message[500]; Emscripten hands us
// their address.
function exceptionText(mujoco, error) {
  const pointer = error && error.excPtr;
  if (typeof pointer !== 'number') return String(error && error.message ? error.message : error);
  const view = new mujoco.DoubleBuffer(1);
  const bytes = new Uint8Array(view.GetView().buffer, pointer, 500);
  const end = bytes.indexOf(0);
  const text = new TextDecoder().decode(bytes.subarray(0, end < 0 ? 500 : end)).trim();
  view.delete();
  return text || String(error.name || error);
}

import(mujocoUrl).then(async ({ default: loadMujoco }) => {
  const mujoco = await loadMujoco({ print: remember, printErr: remember, instantiateWasm });
  parentPort.postMessage({ type: 'loaded' });
  mujoco.FS.writeFile('/model.xml', xml);
  const started = performance.now();
  let model;
  try {
    model = mujoco.MjModel.loadFromXML('/model.xml');
  } catch (error) {
    parentPort.postMessage({ type: 'rejected', message: exceptionText(mujoco, error) });
    return;
  }
  if (!model) {
    parentPort.postMessage({ type: 'rejected', message: output.join('\n').trim() || 'MuJoCo could not parse the XML' });
    return;
  }
  parentPort.postMessage({
    type: 'compiled',
    compileMs: performance.now() - started,
    narena: Number(model.narena),
    nbuffer: Number(model.nbuffer),
    modelBytes: mujoco.mj_sizeModel(model),
  });
});
`;
