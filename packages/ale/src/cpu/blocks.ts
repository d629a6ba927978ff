/**
 * The block compiler's cache and run loop. A block (block-source.ts) is compiled once per read-window content and
 * start address, once the CPU has arrived there `compileAfter` times, into a JavaScript function (`new Function`);
 * machines running the same ROM share the counts and the functions, so sixteen Pong envs compile (and V8 optimizes)
 * each block once.
 *
 * The run loop looks up the block at PC in the table of the current window and runs it when the instruction
 * budget covers it. Otherwise the interpreter runs, with the table's arrival counts: it counts arrivals after each
 * branch, jump, call and return and stops where a block is compiled or should be, or when the window changes. The
 * interpreter alone runs windowless carts (they see every access) and the jammed CPU; it runs PC outside the window
 * (RAM, hot spots, cartridge RAM), BRK and KIL in its stretches, and the last instructions of a budget one by one.
 * Blocks are keyed by the window's contents: a bank switch shows another window, so it selects other blocks, and
 * code that can be written is never in a window.
 */
import { adc, arrDecimal, sbc, statusByte } from './arith.js';
import { type BlockTarget, blockSource } from './block-source.js';
import { type CycleBus, NO_WINDOW } from './bus.js';
import type { Cpu6502 } from './cpu.js';
import { execute, idleWaitRounds } from './interpreter.js';

/** What a block's code calls besides the bus. */
const HELPERS = { adc, sbc, arrDecimal, statusByte, idleWaitRounds };

type BlockRun = (cpu: Cpu6502, bus: CycleBus, remaining: number, h: typeof HELPERS) => number;

interface Block {
  /** The full 16-bit start address (a 4K window shows up at several mirrors). */
  start: number;
  /** Instructions the block runs (the caller's budget must cover them). */
  instructions: number;
  run: BlockRun;
}

/**
 * Arrivals at a block start (from a branch, jump, call or return, or at the start of a run) before its block is
 * compiled. V8 spends a few milliseconds of CPU optimizing each compiled function, and a compiled block saves a few
 * nanoseconds per run, so only blocks that run very often pay: code that runs hundreds of times per frame is
 * compiled within a few frames, code that runs once per frame only in runs of tens of thousands of frames, start-up
 * code never. Until then the interpreter runs it, without stopping at each block. The counts are shared by all
 * machines running the same ROM bank.
 */
let compileAfter = 20_000;

/** Sets the arrivals before a block is compiled (tests lower it to compile nearly everything); returns the old one. */
export function setCompileAfter(arrivals: number): number {
  const old = compileAfter;
  compileAfter = arrivals;
  return old;
}

/** `heat` of a start whose block cannot be compiled: far from `compileAfter`, so the interpreter never stops there. */
const NEVER = -(2 ** 30);

/** The blocks of one window content, by full 16-bit start address (a 4K window shows up at several mirrors). */
class BlockTable {
  /** The compiled block starting at each address, or undefined while the address is not yet hot. */
  private readonly blocks: (Block | undefined)[] = new Array<Block | undefined>(65536).fill(undefined);
  /**
   * Arrivals at each address, counted by `get` and by the interpreter (which stops where the count reaches
   * `compileAfter`); NEVER where no block can be compiled.
   */
  readonly heat = new Int32Array(65536);
  compiled = 0;

  constructor(private readonly target: BlockTarget) {}

  /** The block at `pc` if it is compiled or has just become hot, else undefined. */
  get(pc: number): Block | undefined {
    const block = this.blocks[pc];
    if (block !== undefined) return block;
    if (++this.heat[pc]! < compileAfter) return undefined;
    const made = this.compile(pc);
    if (made === undefined) this.heat[pc] = NEVER;
    else this.blocks[pc] = made;
    return made;
  }

  private compile(pc: number): Block | undefined {
    const source = blockSource(this.target, pc, this.heat);
    if (source === null) return undefined;
    this.compiled++;
    const run = new Function('cpu', 'bus', 'remaining', 'h', source.body) as BlockRun;
    return { start: pc, instructions: source.instructions, run };
  }
}

/** Tables by window content (shared by all machines), and the table of each window array seen. */
const tablesByContent = new Map<string, BlockTable>();
const tablesByWindow = new WeakMap<Int16Array, BlockTable>();

function tableFor(window: Int16Array, bus: CycleBus): BlockTable {
  let table = tablesByWindow.get(window);
  if (table !== undefined) return table;
  const parts = [String(bus.directRamMask), String(bus.directRamMatch)];
  for (let i = 0; i < window.length; i += 1024) {
    parts.push(String.fromCharCode(...Array.from(window.subarray(i, i + 1024), (b) => b + 1)));
  }
  const key = parts.join(':');
  table = tablesByContent.get(key);
  if (table === undefined) {
    // The table keeps its own copy: the key promises these contents.
    table = new BlockTable({
      window: window.slice(),
      ramMask: bus.directRamMask,
      ramMatch: bus.directRamMatch,
    });
    tablesByContent.set(key, table);
  }
  tablesByWindow.set(window, table);
  return table;
}

/** Blocks compiled so far in this process (diagnostics and tests). */
export function compiledBlockCount(): number {
  let n = 0;
  for (const table of tablesByContent.values()) n += table.compiled;
  return n;
}

/**
 * Runs up to `limit` instructions like `execute` (same registers, bus accesses, cycles and stop rule), through
 * compiled blocks where it can. Returns the number of instructions run.
 */
export function runBlocks(cpu: Cpu6502, bus: CycleBus, limit: number): number {
  let done = 0;
  let window: Int16Array | null = null;
  let table: BlockTable | null = null;
  while (done < limit && !bus.stopRequested) {
    if (bus.readWindow !== window) {
      window = bus.readWindow;
      table = window === NO_WINDOW ? null : tableFor(window, bus);
    }
    if (table === null || cpu.jammed) return done + execute(cpu, bus, limit - done);
    const block = table.get(cpu.pc);
    const remaining = limit - done;
    if (block === undefined) done += execute(cpu, bus, remaining, table.heat, compileAfter);
    else if (block.instructions <= remaining) done += block.run(cpu, bus, remaining, HELPERS);
    else done += execute(cpu, bus, 1);
  }
  return done;
}
