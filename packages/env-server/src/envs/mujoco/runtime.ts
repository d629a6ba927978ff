/**
 * The MuJoCo WebAssembly runtime (npm `mujoco-js`, MuJoCo 3.3.8): loaded once per process, asynchronously,
 * because Emscripten modules can only be instantiated with a promise. Env code is synchronous and reads the
 * loaded runtime through `mujocoRuntime()`.
 *
 * The runtime also owns MJCF compilation (through the module's virtual file system), a small cache of compiled
 * models shared by envs, and the capture of MuJoCo's console output, which is how warnings are observed:
 * reading mjData.warning through the bindings costs ~10 µs and allocates, a print hook costs nothing.
 */
import type { MainModule, MjModel } from 'mujoco-js';

/** Models kept compiled while no env uses them, so make/close cycles do not recompile. */
const IDLE_MODEL_LIMIT = 16;
const MODEL_PATH = '/vinegym/model.xml';

/** MuJoCo's compiler rejected an MJCF document; `message` is MuJoCo's own text. */
export class MujocoCompileError extends Error {
  override readonly name = 'MujocoCompileError';
}

/**
 * Estimated bytes one env of a model holds: its MjData, which is the arena (`<size memory>`; MuJoCo's automatic
 * size is ~13 MiB even for small models) plus a buffer no larger than the model's, and the model itself, counted
 * per env to stay on the safe side. An upper bound on resident memory: untouched arena pages are never resident.
 */
export function modelEnvBytes(sizes: { narena: number; nbuffer: number; modelBytes: number }): number {
  return sizes.narena + sizes.nbuffer + sizes.modelBytes;
}

interface CachedModel {
  model: MjModel;
  users: number;
}

export class MujocoRuntime {
  /** Lines MuJoCo printed that start with "WARNING" since load; env steps compare it before and after. */
  warningCount = 0;
  lastWarning = '';
  /**
   * False once a compile has failed: MuJoCo's compiler then leaves its warning-capturing handler installed
   * (the error escapes through the bindings), so warnings stop being printed and envs must read mjData's
   * warning counters instead (slower, ~10 µs per step).
   */
  warningsPrinted = true;
  private recentOutput: string[] = [];
  private readonly models = new Map<string, CachedModel>();
  /** Idle cached models, oldest first (Map iteration order). */
  private readonly idle = new Set<string>();
  private scratch: { GetView(): Float64Array; delete(): void } | null = null;
  /** envBytes results by MJCF text, oldest first. */
  private readonly footprints = new Map<string, number>();

  /** Set by `loadMujocoRuntime`; the module is created with this object's print hooks. */
  module!: MainModule;
  /** The compiled WebAssembly module, for worker threads and sandboxes to instantiate; null if not available. */
  wasmModule: WebAssembly.Module | null = null;

  readonly onOutput = (line: string): void => {
    if (line.startsWith('WARNING')) {
      this.warningCount++;
      this.lastWarning = line;
    }
    this.recentOutput.push(line);
    if (this.recentOutput.length > 20) this.recentOutput.shift();
  };

  get version(): string {
    return this.module.mj_versionString();
  }

  /**
   * A compiled model for `xml`, shared with other envs using the same text. Pair every call with
   * `releaseModel`. Throws MujocoCompileError with MuJoCo's message when the MJCF is invalid.
   */
  acquireModel(xml: string): MjModel {
    let entry = this.models.get(xml);
    if (!entry) {
      entry = { model: this.compile(xml), users: 0 };
      this.models.set(xml, entry);
    }
    entry.users++;
    this.idle.delete(xml);
    return entry.model;
  }

  releaseModel(model: MjModel): void {
    for (const [xml, entry] of this.models) {
      if (entry.model !== model) continue;
      entry.users--;
      if (entry.users === 0) this.idle.add(xml);
      break;
    }
    while (this.idle.size > IDLE_MODEL_LIMIT) {
      const oldest = this.idle.values().next().value as string;
      this.idle.delete(oldest);
      this.models.get(oldest)?.model.delete();
      this.models.delete(oldest);
    }
  }

  /** Estimated bytes one env of trusted MJCF `xml` holds (see modelEnvBytes); compiles it once per text. */
  envBytes(xml: string): number {
    let bytes = this.footprints.get(xml);
    if (bytes === undefined) {
      const model = this.acquireModel(xml);
      try {
        bytes = modelEnvBytes({
          narena: Number(model.narena),
          nbuffer: Number(model.nbuffer),
          modelBytes: this.module.mj_sizeModel(model),
        });
      } finally {
        this.releaseModel(model);
      }
      if (this.footprints.size >= IDLE_MODEL_LIMIT)
        this.footprints.delete(this.footprints.keys().next().value as string);
      this.footprints.set(xml, bytes);
    }
    return bytes;
  }

  /** Bytes of WebAssembly memory; it only grows, so a leak shows up as growth. */
  heapBytes(): number {
    return this.heapView().buffer.byteLength;
  }

  private compile(xml: string): MjModel {
    const mujoco = this.module;
    this.recentOutput = [];
    mujoco.FS.writeFile(MODEL_PATH, xml);
    try {
      const model = mujoco.MjModel.loadFromXML(MODEL_PATH) as MjModel | null;
      // A document that is not XML at all returns null and only prints the parser's complaint.
      if (!model) throw new MujocoCompileError(this.recentOutput.join('\n').trim() || 'MuJoCo could not parse the XML');
      return model;
    } catch (error) {
      this.warningsPrinted = false;
      if (error instanceof MujocoCompileError) throw error;
      throw new MujocoCompileError(this.exceptionMessage(error));
    } finally {
      mujoco.FS.unlink(MODEL_PATH);
    }
  }

  /**
   * MuJoCo's parser and compiler throw mjXError / mjCError, C++ structs (not std::exception) whose first member
   * is `char message[500]`; Emscripten gives us only their address, so read the text from wasm memory.
   */
  private exceptionMessage(error: unknown): string {
    const pointer = (error as { excPtr?: unknown })?.excPtr;
    if (typeof pointer !== 'number') return String(error);
    const bytes = new Uint8Array(this.heapView().buffer, pointer, 500);
    const end = bytes.indexOf(0);
    const text = new TextDecoder().decode(bytes.subarray(0, end < 0 ? 500 : end)).trim();
    return text || String((error as Error).name ?? error);
  }

  /** Any view on wasm memory; its buffer is replaced when memory grows, so take a fresh one each time. */
  private heapView(): Float64Array {
    this.scratch ??= new this.module.DoubleBuffer(1);
    return this.scratch.GetView();
  }
}

let loading: Promise<MujocoRuntime> | null = null;
let loaded: MujocoRuntime | null = null;
let loadError: unknown = null;
let precompiled: WebAssembly.Module | null = null;

/**
 * Makes the next `loadMujocoRuntime()` instantiate `module` (the main thread's `wasmModule`) instead of compiling
 * mujoco-js's embedded binary: a worker thread then starts in a fraction of the time and shares the compiled code.
 * Call before anything loads the runtime.
 */
export function useCompiledMujocoModule(module: WebAssembly.Module): void {
  if (loading !== null) throw new Error('the MuJoCo runtime is already loading');
  precompiled = module;
}

/** Loads the WebAssembly module once; later calls return the same runtime. */
export function loadMujocoRuntime(): Promise<MujocoRuntime> {
  loading ??= (async () => {
    const runtime = new MujocoRuntime();
    try {
      runtime.wasmModule = await instantiate(runtime, precompiled);
      runtime.module.FS.mkdir('/vinegym');
    } catch (error) {
      loadError = error;
      throw error;
    }
    loaded = runtime;
    return runtime;
  })();
  return loading;
}

/**
 * Instantiates mujoco-js into `runtime.module`, from `compiled` if given; returns the compiled module used (null if
 * it could not be had). mujoco-js compiles its embedded binary itself and keeps no handle on the result, so the
 * first load wraps WebAssembly.instantiate for its duration to keep the module it compiles.
 */
async function instantiate(
  runtime: MujocoRuntime,
  compiled: WebAssembly.Module | null,
): Promise<WebAssembly.Module | null> {
  // Imported here, not at the top: the module's JavaScript alone is 11 MB (the WebAssembly is inlined).
  const { default: loadMujoco } = await import('mujoco-js');
  const hooks = { print: runtime.onOutput, printErr: runtime.onOutput };
  if (compiled !== null) {
    runtime.module = await loadMujoco({ ...hooks, instantiateWasm: instantiateFrom(compiled) });
    return compiled;
  }
  let captured: WebAssembly.Module | null = null;
  const original = WebAssembly.instantiate;
  const capturing = async (
    source: BufferSource | WebAssembly.Module,
    imports?: WebAssembly.Imports,
  ): Promise<unknown> => {
    if (captured !== null || source instanceof WebAssembly.Module)
      return original(source as WebAssembly.Module, imports);
    captured = await WebAssembly.compile(source);
    return { module: captured, instance: await original(captured, imports) };
  };
  WebAssembly.instantiate = capturing as typeof WebAssembly.instantiate;
  try {
    runtime.module = await loadMujoco(hooks);
  } finally {
    WebAssembly.instantiate = original;
  }
  return captured;
}

/** An Emscripten `instantiateWasm` hook that instantiates an already compiled module. */
function instantiateFrom(
  compiled: WebAssembly.Module,
): (
  imports: WebAssembly.Imports,
  done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
) => object {
  return (imports, done) => {
    void WebAssembly.instantiate(compiled, imports).then((instance) => done(instance, compiled));
    return {};
  };
}

/** The compiled mujoco-js module of this thread's runtime, if it is loaded and has one. */
export function compiledMujocoModule(): WebAssembly.Module | null {
  return loaded?.wasmModule ?? null;
}

/** Bytes of this thread's MuJoCo WebAssembly heap; undefined if the runtime is not loaded. */
export function mujocoHeapBytes(): number | undefined {
  return loaded?.heapBytes();
}

/** Nothing once the module is loaded; else the promise of loading it (what MuJoCo env definitions' `load` returns). */
export function mujocoRuntimeLoading(): Promise<void> | undefined {
  return loaded ? undefined : loadMujocoRuntime().then(() => undefined);
}

/** The loaded runtime; throws if `loadMujocoRuntime()` has not finished (or failed). */
export function mujocoRuntime(): MujocoRuntime {
  if (loaded) return loaded;
  const reason = loadError ? `loading mujoco-js failed: ${String(loadError)}` : 'await loadMujocoRuntime() first';
  throw new Error(`MuJoCo runtime not loaded (${reason})`);
}
