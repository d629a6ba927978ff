/**
 * The block compiler's cache and run loop. A block (block-source.ts) is compiled once per read-window content and
 * start address, the first time the CPU reaches it, into a JavaScript function (`new Function`); machines running
 * the same ROM share the functions, so sixteen Pong envs compile (and V8 optimizes) each block once.
 *
 * The run loop looks up the block at PC in the table of the current window and runs it when the instruction
 * budget covers it; everything else goes to the interpreter one instruction at a time: windowless carts (they see
 * every access), PC outside the window (RAM, hot spots, cartridge RAM), BRK, KIL and the jammed CPU, and the last
 * instructions of a budget. Blocks are keyed by the window's contents: a bank switch shows another window, so it
 * selects other blocks, and code that can be written is never in a window.
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

/** Runs nothing: PC is outside the window, or the instruction there cannot be compiled (the interpreter runs it). */
const interpretOnly = (): number => 0;

/** Visits of a block start before it is compiled: code that runs a few times (start-up) stays interpreted. */
const COMPILE_AFTER = 8;
/** The interpreter runs one instruction (the address is not yet hot). */
const NOT_YET: Block = { start: -1, instructions: Infinity, run: interpretOnly };

/** The blocks of one window content. */
class BlockTable {
  /** By `pc & 0xfff`: the block of the mirror seen first. */
  private readonly byOffset: (Block | undefined)[] = Array.from({ length: 4096 }, () => undefined);
  /** Blocks at other mirrors, by full address. */
  private readonly mirrors = new Map<number, Block>();
  compiled = 0;
  /** Visits of each address before its block is compiled. */
  private readonly visits = new Uint8Array(65536);

  constructor(private readonly target: BlockTarget) {}

  get(pc: number): Block {
    const block = this.byOffset[pc & 0xfff];
    if (block !== undefined && block.start === pc) return block;
    let made = this.mirrors.get(pc);
    if (made !== undefined) return made;
    if (++this.visits[pc]! < COMPILE_AFTER) return NOT_YET;
    made = this.compile(pc);
    if (block === undefined && (pc & 0x1000) !== 0) this.byOffset[pc & 0xfff] = made;
    else this.mirrors.set(pc, made);
    return made;
  }

  private compile(pc: number): Block {
    const source = blockSource(this.target, pc);
    if (source === null) return { start: pc, instructions: Infinity, run: interpretOnly };
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
    if (block.instructions <= remaining) done += block.run(cpu, bus, remaining, HELPERS);
    else done += execute(cpu, bus, 1);
  }
  return done;
}
