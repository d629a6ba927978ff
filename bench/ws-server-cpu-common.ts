/** What both processes of bench/ws-server-cpu.ts agree on: the commands, the observation kwargs, the actions. */
import { ndarray, type NDArray } from '@vinegym/protocol';
import { mulberry32 } from './stats.js';

export interface CpuReply {
  /** Microseconds. */
  user: number;
  system: number;
}

/** The other commands: the server's URL, its CPU so far, perf on or off. */
export interface PlainCommand {
  cmd: 'url' | 'cpu' | 'perf-start' | 'perf-stop';
  /** perf-start: the output file. */
  perf?: string;
}

/** Steps `batches` batches of an in-process session in the server process; answered with a CpuReply. */
export interface EmbeddedCommand {
  cmd: 'embedded';
  envId: string;
  numEnvs: number;
  kwargs: Record<string, string | number | boolean | null>;
  batches: number;
  /** Seed of the action batches (the same on both sides of a round). */
  seed: number;
  /**
   * Microseconds the in-process loop sleeps after each step (the thread blocks, the core is free), as a server's
   * thread does between sending a response and receiving the next request. Default 0.
   */
  idleUs?: number;
  /** Prefix of a perf output file, or undefined for none. */
  perf?: string;
  perfExt?: string;
}

/** 64 batches of uniform actions of a Discrete(n) space, the same for the same seed. */
export function randomActions(n: number, numEnvs: number, seed: number): NDArray[] {
  const random = mulberry32(seed);
  return Array.from({ length: 64 }, () => {
    const data = new BigInt64Array(numEnvs);
    for (let i = 0; i < numEnvs; i++) data[i] = BigInt(Math.floor(random() * n));
    return ndarray('int64', [numEnvs], data);
  });
}
