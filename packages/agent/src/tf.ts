/**
 * Loads TensorFlow.js with the fastest backend available.
 *
 * 1. `@tensorflow/tfjs-node` (backend 'tensorflow'): the native TensorFlow C library. Its binding
 *    is built at install time by scripts/install-tfjs-node.mjs (root `postinstall`).
 * 2. Otherwise `@tensorflow/tfjs` + `@tensorflow/tfjs-backend-wasm` (backend 'wasm'), with a loud
 *    warning on stderr: it works, but training is much slower.
 *
 * `VINEGYM_TF_BACKEND=node|wasm|cpu` forces a backend (`node` fails loudly instead of falling
 * back). The result is cached: every caller gets the same module and backend.
 */
import type * as TfModule from '@tensorflow/tfjs';

export type Tf = typeof TfModule;

export interface LoadedTf {
  tf: Tf;
  /** The active backend: 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
}

type Choice = 'auto' | 'node' | 'wasm' | 'cpu';

let loading: Promise<LoadedTf> | undefined;

export async function loadTf(): Promise<LoadedTf> {
  if (!loading) {
    loading = load();
    loading.catch(() => {
      loading = undefined; // let a later call retry, e.g. after the env var was fixed
    });
  }
  return loading;
}

function backendChoice(): Choice {
  const raw = (process.env.VINEGYM_TF_BACKEND ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'auto') return 'auto';
  if (raw === 'node' || raw === 'tensorflow' || raw === 'tfjs-node') return 'node';
  if (raw === 'wasm' || raw === 'cpu') return raw;
  throw new Error(`VINEGYM_TF_BACKEND=${process.env.VINEGYM_TF_BACKEND}: expected node, wasm or cpu`);
}

/** A CommonJS package imported from ESM: the module object is `default` (or the namespace). */
function cjs<T>(mod: T | { default: T }): T {
  const d = (mod as { default?: T }).default;
  return d && typeof d === 'object' ? d : (mod as T);
}

async function load(): Promise<LoadedTf> {
  const choice = backendChoice();

  if (choice === 'auto' || choice === 'node') {
    // TensorFlow's C++ logging (CPU feature notes, oneDNN notes) is noise for us.
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    try {
      const tf = cjs(await import('@tensorflow/tfjs-node')) as unknown as Tf;
      await tf.ready();
      if (tf.getBackend() !== 'tensorflow') {
        throw new Error(`tfjs-node loaded but the active backend is '${tf.getBackend()}'`);
      }
      return { tf, backend: 'tensorflow' };
    } catch (err) {
      if (choice === 'node') {
        throw new Error(
          `VINEGYM_TF_BACKEND=node but @tensorflow/tfjs-node does not load: ${errorText(err)}\n` +
            'Re-run `pnpm install` (it builds the binding; see scripts/install-tfjs-node.mjs).',
        );
      }
      warnFallback(err);
    }
  }

  const tf = cjs(await import('@tensorflow/tfjs')) as Tf;
  const cpu = tf.engine().findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false; // tfjs's own "install tfjs-node" advice; ours is above

  if (choice === 'cpu') {
    await setBackend(tf, 'cpu');
    return { tf, backend: 'cpu' };
  }

  await import('@tensorflow/tfjs-backend-wasm');
  await setBackend(tf, 'wasm');
  bridgeMissingWasmKernels(tf);
  return { tf, backend: 'wasm' };
}

async function setBackend(tf: Tf, name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js could not initialise the '${name}' backend`);
  await tf.ready();
}

function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

function warnFallback(err: unknown): void {
  const bar = '!'.repeat(78);
  process.stderr.write(
    [
      '',
      bar,
      '!! WARNING: @tensorflow/tfjs-node (native TensorFlow) failed to load.',
      '!! Falling back to the WASM backend: training will be MUCH slower.',
      `!! Cause: ${errorText(err)}`,
      '!!',
      '!! To fix: re-run `pnpm install` at the repository root; its postinstall',
      '!! (scripts/install-tfjs-node.mjs) builds the binding from the tensorflow-cpu',
      '!! wheel and explains what is missing (python3 + pip, g++, make). Check it with',
      '!! `node scripts/install-tfjs-node.mjs --check`. Set VINEGYM_TF_BACKEND=wasm to',
      '!! choose the WASM backend on purpose and silence this warning.',
      bar,
      '',
    ].join('\n'),
  );
}

/**
 * tfjs-backend-wasm 4.22 lacks a few kernels that tfjs-backend-cpu has, among them gradients
 * that training needs: Conv2DBackpropFilter (conv2d filter gradient), DepthwiseConv2dNative
 * backprops, UnsortedSegmentSum (gradient of gather), Einsum. Register each of them for 'wasm'
 * by running the CPU kernel on copies of the inputs: slower, but correct.
 */
function bridgeMissingWasmKernels(tf: Tf): void {
  const skip = new Set(['Complex', 'ComplexAbs', 'Real', 'Imag', 'FFT', 'IFFT', 'Draw', 'StaticRegexReplace']);
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const cpuKernels = tf.getKernelsForBackend('cpu').filter((k) => !have.has(k.kernelName) && !skip.has(k.kernelName));
  if (cpuKernels.length === 0) return;

  type DataId = object;
  interface Info {
    dataId: DataId;
    shape: number[];
    dtype: TfModule.DataType;
  }
  type Values = Float32Array | Int32Array | Uint8Array;
  interface Backend {
    readSync(dataId: DataId): Values;
    write(values: Values, shape: number[], dtype: TfModule.DataType): DataId;
    disposeData(dataId: DataId, force?: boolean): boolean;
    makeOutput?(shape: number[], dtype: TfModule.DataType, memoryOffset?: number, values?: Values): Info;
  }
  const typed = (v: Values, dtype: TfModule.DataType): Values =>
    dtype === 'int32'
      ? v instanceof Int32Array
        ? v
        : Int32Array.from(v)
      : dtype === 'bool'
        ? v instanceof Uint8Array
          ? v
          : Uint8Array.from(v)
        : v instanceof Float32Array
          ? v
          : Float32Array.from(v);

  for (const k of cpuKernels) {
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const wasm = backend as unknown as Backend;
        const cpu = tf.engine().findBackend('cpu') as unknown as Backend;
        const owned = new Set<DataId>();
        const cpuInputs: Record<string, Info> = {};
        for (const [name, t] of Object.entries(inputs as Record<string, Info | undefined>)) {
          if (!t) continue;
          const dataId = cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype);
          owned.add(dataId);
          cpuInputs[name] = { dataId, shape: t.shape, dtype: t.dtype };
        }
        try {
          const out = k.kernelFunc({ inputs: cpuInputs as never, attrs, backend: cpu as never }) as Info | Info[];
          const outs = Array.isArray(out) ? out : [out];
          const moved = outs.map((o) => {
            owned.add(o.dataId);
            const values = typed(cpu.readSync(o.dataId), o.dtype);
            return wasm.makeOutput!(o.shape, o.dtype, undefined, values);
          });
          return (Array.isArray(out) ? moved : moved[0]) as never;
        } finally {
          for (const id of owned) cpu.disposeData(id, true);
        }
      },
    });
  }
}
