/**
 * Infos as typed arrays, for the shared-memory step handoff (see step-buffers.ts). MuJoCo infos are flat maps of
 * numbers (and float64 arrays) whose keys repeat every step, so each info is sent as the id of its *layout* (keys
 * and value kinds, sent once) plus its values in a Float64Array. An info that does not fit a layout (a string, a
 * nested map, another dtype) travels whole in the step's side message instead, so every info is carried exactly.
 *
 * The worker's InfoColumnWriter assigns layout ids and reports new layouts in the side message; the main thread's
 * InfoColumnReader learns them in the same order, so both number them alike.
 */
import { ndarray } from '@vinegym/protocol';
import type { Info, InfoValue } from '@vinegym/protocol';

/** How one info entry is stored: a number, a boolean (0/1), or the shape of a float64 NDArray. */
export type InfoEntryKind = 'number' | 'boolean' | number[];

export interface InfoLayout {
  keys: string[];
  kinds: InfoEntryKind[];
  /** Float64 slots one info of this layout takes. */
  size: number;
}

/** Layout id of a null slot (a final info of an env whose episode did not end). */
export const NO_INFO = -1;
/** Layout id of an info that travels whole in the side message. */
export const INFO_IN_MESSAGE = -2;
/**
 * Layouts one worker defines at most. Envs whose info keys keep changing would otherwise grow the table without
 * end; their further infos travel in the side message.
 */
export const MAX_INFO_LAYOUTS = 64;

/** What the writer needs to tell the reader beyond the typed arrays; null fields mean nothing to tell. */
export interface InfoColumnExtras {
  /** Layouts defined while writing, in id order. */
  newLayouts: InfoLayout[] | null;
  /** Infos that fit no layout, by slot. */
  wholeInfos: [slot: number, info: Info][] | null;
  /** A larger values buffer that replaces the previous one (the values did not fit). */
  grownValues: SharedArrayBuffer | null;
}

/** Worker side: writes a step's infos as layout ids and values. */
export class InfoColumnWriter {
  private readonly layouts: InfoLayout[] = [];
  /** The layout each slot used last: the first candidate for its next info. */
  private readonly lastLayout: Int32Array;
  private values: Float64Array;

  constructor(
    slots: number,
    values: SharedArrayBuffer,
    /** Layout id per slot, written in place. */
    private readonly ids: Int32Array,
  ) {
    this.lastLayout = new Int32Array(slots).fill(NO_INFO);
    this.values = new Float64Array(values);
  }

  /** Writes `infos` (one per slot; null for none) and returns what the reader must be told. */
  write(infos: readonly (Info | null)[]): InfoColumnExtras {
    const extras: InfoColumnExtras = { newLayouts: null, wholeInfos: null, grownValues: null };
    let cursor = 0;
    for (let slot = 0; slot < infos.length; slot++) {
      const info = infos[slot];
      if (info === null) {
        this.ids[slot] = NO_INFO;
        continue;
      }
      const id = this.layoutOf(slot, info, extras);
      this.ids[slot] = id;
      if (id === INFO_IN_MESSAGE) {
        (extras.wholeInfos ??= []).push([slot, info]);
        continue;
      }
      const layout = this.layouts[id];
      if (cursor + layout.size > this.values.length) this.grow(cursor + layout.size, cursor, extras);
      cursor = writeValues(layout, info, this.values, cursor);
    }
    return extras;
  }

  /** The id of a layout `info` fits, defining one if needed; INFO_IN_MESSAGE if it fits none. */
  private layoutOf(slot: number, info: Info, extras: InfoColumnExtras): number {
    const last = this.lastLayout[slot];
    if (last >= 0 && fits(this.layouts[last], info)) return last;
    let id = this.layouts.findIndex((layout) => fits(layout, info));
    if (id < 0) {
      const layout = this.layouts.length < MAX_INFO_LAYOUTS ? layoutFor(info) : null;
      if (layout === null) return INFO_IN_MESSAGE;
      id = this.layouts.push(layout) - 1;
      (extras.newLayouts ??= []).push(layout);
    }
    this.lastLayout[slot] = id;
    return id;
  }

  /** Replaces the values buffer by one of at least `needed` slots, keeping the first `used`. */
  private grow(needed: number, used: number, extras: InfoColumnExtras): void {
    const buffer = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * Math.max(needed, 2 * this.values.length));
    const values = new Float64Array(buffer);
    values.set(this.values.subarray(0, used));
    this.values = values;
    extras.grownValues = buffer;
  }
}

/** Main-thread side: turns layout ids and values back into infos. */
export class InfoColumnReader {
  private readonly layouts: InfoLayout[] = [];
  private values: Float64Array;

  constructor(
    values: SharedArrayBuffer,
    private readonly ids: Int32Array,
  ) {
    this.values = new Float64Array(values);
  }

  /** Applies a step's extras (new layouts, a grown buffer); call before `read` for that step. */
  learn(extras: InfoColumnExtras): void {
    if (extras.newLayouts !== null) this.layouts.push(...extras.newLayouts);
    if (extras.grownValues !== null) this.values = new Float64Array(extras.grownValues);
  }

  /** The infos of slots [0, slots), null where there was none. */
  read(slots: number, wholeInfos: InfoColumnExtras['wholeInfos']): (Info | null)[] {
    const infos = new Array<Info | null>(slots).fill(null);
    let cursor = 0;
    for (let slot = 0; slot < slots; slot++) {
      const id = this.ids[slot];
      if (id < 0) continue;
      const layout = this.layouts[id];
      infos[slot] = readValues(layout, this.values, cursor);
      cursor += layout.size;
    }
    for (const [slot, info] of wholeInfos ?? []) infos[slot] = info;
    return infos;
  }
}

/** The layout of `info`, or null when some entry is not a number, a boolean or a float64 NDArray. */
function layoutFor(info: Info): InfoLayout | null {
  const keys: string[] = [];
  const kinds: InfoEntryKind[] = [];
  let size = 0;
  for (const key in info) {
    const kind = kindOf(info[key]);
    if (kind === null) return null;
    keys.push(key);
    kinds.push(kind);
    size += typeof kind === 'string' ? 1 : (info[key] as { data: Float64Array }).data.length;
  }
  return { keys, kinds, size };
}

function kindOf(value: InfoValue): InfoEntryKind | null {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    value.dtype === 'float64' &&
    value.data instanceof Float64Array
  ) {
    return [...(value.shape as number[])];
  }
  return null;
}

/** Whether `info` has exactly the keys (in order) and value kinds of `layout`. */
function fits(layout: InfoLayout, info: Info): boolean {
  const { keys, kinds } = layout;
  let k = 0;
  for (const key in info) {
    if (k === keys.length || key !== keys[k]) return false;
    const kind = kinds[k++];
    const value = info[key];
    if (typeof kind === 'string') {
      if (typeof value !== kind) return false;
    } else if (!sameFloat64Shape(value, kind)) return false;
  }
  return k === keys.length;
}

function sameFloat64Shape(value: InfoValue, shape: number[]): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value.dtype !== 'float64') return false;
  const actual = value.shape as number[];
  return value.data instanceof Float64Array && actual.length === shape.length && actual.every((d, i) => d === shape[i]);
}

function writeValues(layout: InfoLayout, info: Info, values: Float64Array, cursor: number): number {
  const { keys, kinds } = layout;
  for (let k = 0; k < keys.length; k++) {
    const value = info[keys[k]];
    if (kinds[k] === 'number') values[cursor++] = value as number;
    else if (kinds[k] === 'boolean') values[cursor++] = value ? 1 : 0;
    else {
      const data = (value as { data: Float64Array }).data;
      values.set(data, cursor);
      cursor += data.length;
    }
  }
  return cursor;
}

function readValues(layout: InfoLayout, values: Float64Array, cursor: number): Info {
  const { keys, kinds } = layout;
  const info: Info = {};
  for (let k = 0; k < keys.length; k++) {
    const kind = kinds[k];
    if (kind === 'number') info[keys[k]] = values[cursor++];
    else if (kind === 'boolean') info[keys[k]] = values[cursor++] === 1;
    else {
      const size = kind.reduce((a, b) => a * b, 1);
      info[keys[k]] = ndarray('float64', kind, values.slice(cursor, cursor + size));
      cursor += size;
    }
  }
  return info;
}
