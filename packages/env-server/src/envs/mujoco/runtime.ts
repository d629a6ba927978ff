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

  /** Set by `loadMujocoRuntime`; the module is created with this object's print hooks. */
  module!: MainModule;

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

/** Loads the WebAssembly module once; later calls return the same runtime. */
export function loadMujocoRuntime(): Promise<MujocoRuntime> {
  loading ??= (async () => {
    const runtime = new MujocoRuntime();
    try {
      // Imported here, not at the top: the module's JavaScript alone is 11 MB (the WebAssembly is inlined).
      const { default: loadMujoco } = await import('mujoco-js');
      runtime.module = await loadMujoco({ print: runtime.onOutput, printErr: runtime.onOutput });
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
