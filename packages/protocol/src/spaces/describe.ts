/** Gymnasium-like one-line renderings of spaces and array indices, for error messages. */
import type { Space } from '../types.js';

export function describeSpace(space: Space): string {
  switch (space.type) {
    case 'box': {
      const shape = pythonTuple(space.shape);
      const low = uniformValue(space.low.data);
      const high = uniformValue(space.high.data);
      return low !== undefined && high !== undefined
        ? `Box(${formatElement(low)}, ${formatElement(high)}, ${shape}, ${space.dtype})`
        : `Box(shape=${shape}, ${space.dtype})`;
    }
    case 'discrete':
      return space.start === 0 ? `Discrete(${space.n})` : `Discrete(${space.n}, start=${space.start})`;
    case 'multi_discrete': {
      const nvec = `[${Array.from(space.nvec.data).join(', ')}]`;
      const starts = Array.from(space.start.data);
      return starts.every((s) => s === 0n)
        ? `MultiDiscrete(${nvec})`
        : `MultiDiscrete(${nvec}, start=[${starts.join(', ')}])`;
    }
    case 'multi_binary':
      return `MultiBinary(${pythonTuple(space.shape)})`;
    case 'dict':
      return `Dict(${Object.keys(space.spaces)
        .map((k) => JSON.stringify(k))
        .join(', ')})`;
    case 'tuple':
      return `Tuple(${space.spaces.map(describeSpace).join(', ')})`;
  }
}

/** `[1, 2]` for flat index 6 of shape [3, 4]; empty for a scalar shape. */
export function formatIndex(flatIndex: number, shape: readonly number[]): string {
  if (shape.length === 0) return '';
  const index: number[] = new Array(shape.length);
  let rest = flatIndex;
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return `[${index.join(', ')}]`;
}

export function formatElement(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function uniformValue(data: ArrayLike<number | bigint>): number | bigint | undefined {
  if (data.length === 0) return undefined;
  for (let i = 1; i < data.length; i++) if (data[i] !== data[0]) return undefined;
  return data[0];
}
