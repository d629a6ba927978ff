/**
 * JavaScript source of one compiled block (see blocks.ts): the 6502 instructions from `start` up to and including
 * the first return, indirect jump or branch it does not go on through, as straight-line code with the registers in
 * locals; it goes on through `JMP abs`, `JSR` and up to MAX_TRACED_BRANCHES branches (the other way out of a branch
 * leaves the block). Every bus access happens exactly as in the interpreter (interpreter.ts), in the same order, with the same
 * cycle count and previous data-bus value, so the devices cannot tell the two apart:
 *
 * - what is known when compiling is folded: instruction bytes and absolute reads from the read window become
 *   constants, zero-page and absolute RAM accesses become `ram[i]`, cycle counts are added up and handed over only
 *   at bus calls, the taken branch's page-crossing penalty is decided;
 * - what depends on registers (indexed and indirect addresses, the stack) is the interpreter's pattern: window,
 *   RAM, or the bus call;
 * - after every instruction that may have called the bus, the block returns if the bus asked to stop or switched
 *   banks (the caller then looks up the block of the new mapping).
 *
 * Only bytes the read window serves (ROM, no side effects) are compiled; the caller keys blocks by the window's
 * contents, so code in RAM, hot spots and other banks never meet stale code.
 */
import { IMPLIED_OPS, type Kind, MODIFY_OPS, READ_OPS, UNPACK, WRITE_OPS, addWithCarry, kindOf } from './block-ops.js';
import { DUMMY_READ, WRITE_FLAG } from './bus.js';
import { type Mode, OPCODES } from './opcodes.js';

/** Upper bound of instructions per block (longer straight runs continue in the next block). */
export const MAX_BLOCK_INSTRUCTIONS = 48;
/** Conditional branches a block may go on through (along the way most arrivals took; the other way leaves). */
const MAX_TRACED_BRANCHES = 4;

/** A block's source, the number of instructions it runs (without skipped timer-loop rounds). */
export interface BlockSource {
  body: string;
  instructions: number;
}

export interface BlockTarget {
  /** The read window the block is compiled against (its contents must not change). */
  window: Int16Array;
  /** CycleBus.directRamMask / directRamMatch. */
  ramMask: number;
  ramMatch: number;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Writes the code of one block, access by access. */
class BlockWriter {
  private readonly lines: string[] = [];
  /** Cycles counted at compile time but not yet added to `cyc`. */
  private pending = 0;
  /** The current instruction has made (or may have made) a bus call: the window may have changed since. */
  private called = false;
  /** Constant addresses the block may continue at (branch and jump targets), to see whether it loops. */
  readonly targets = new Set<number>();
  /** Addresses of the instructions compiled so far (a block never runs one twice). */
  readonly visited = new Set<number>();
  private tracedBranches = 0;

  constructor(
    private readonly target: BlockTarget,
    private readonly arrivals: Int32Array | null,
  ) {}

  emit(line: string): void {
    this.lines.push(line);
  }

  source(): string {
    return this.lines.join('\n');
  }

  startInstruction(): void {
    this.called = false;
  }

  get mayHaveCalled(): boolean {
    return this.called;
  }

  /** Adds the pending cycles to `cyc`. */
  flush(): void {
    if (this.pending > 0) this.emit(`cyc += ${this.pending};`);
    this.pending = 0;
  }

  /**
   * The way out of a conditional branch the block goes on along, or null if it ends there: the successor with at
   * least twice the other's arrivals so far (the block is compiled when its start has just become hot, so its
   * successors' counts say where it usually goes), if the block has not run it yet.
   */
  traceWay(next: number, taken: number): number | null {
    const heat = this.arrivals;
    if (heat === null || this.tracedBranches >= MAX_TRACED_BRANCHES) return null;
    const hn = Math.max(heat[next]!, 0);
    const ht = Math.max(heat[taken]!, 0);
    const way = hn >= ht ? next : taken;
    if (Math.max(hn, ht) < 2 * Math.min(hn, ht) || hn === ht) return null;
    if (this.visited.has(way) || !compilable(this.target.window, way)) return null;
    this.tracedBranches++;
    return way;
  }

  /** The window's byte at `address`, or -1 where a read must go to the bus or RAM. */
  windowByte(address: number): number {
    return (address & 0x1000) !== 0 ? this.target.window[address & 0xfff]! : -1;
  }

  private isRam(address: number): boolean {
    return (address & this.target.ramMask) === this.target.ramMatch;
  }

  /** A read at an address known now; returns the expression of the value (a literal or `v`). */
  readAt(address: number, dummy = false): string {
    this.pending++;
    const rom = this.called ? -1 : this.windowByte(address);
    if (rom >= 0) {
      this.emit(`last = ${rom};`);
      return String(rom);
    }
    if (this.isRam(address)) {
      this.emit(`v = ram[${address & 0x7f}]; last = v;`);
      return 'v';
    }
    if ((address & 0x1000) !== 0) return this.readVia(hex(address), dummy, true, true);
    this.flush();
    this.emit(`v = bus.read(${hex(address | (dummy ? DUMMY_READ : 0))}, cyc, last); last = v;`);
    this.called = true;
    return 'v';
  }

  /**
   * A read at the address in local `addr` (`window`: it may be in the cartridge window; false for page zero and the
   * stack): the interpreter's pattern.
   */
  readVia(addr: string, dummy: boolean, window: boolean, counted = false): string {
    if (!counted) this.pending++;
    this.flush();
    const call = `bus.read(${addr}${dummy ? ` | ${DUMMY_READ}` : ''}, cyc, last)`;
    const ramOrBus = `(${addr} & ${this.target.ramMask}) === ${this.target.ramMatch} ? ram[${addr} & 0x7f] : ${call}`;
    if (window) {
      const w = this.called ? 'bus.readWindow' : 'W';
      this.emit(`if ((${addr} & 0x1000) === 0 || (v = ${w}[${addr} & 0xfff]) < 0) v = ${ramOrBus};`);
    } else {
      this.emit(`v = ${ramOrBus};`);
    }
    this.emit('last = v;');
    this.called = true;
    return 'v';
  }

  /** A write of `value` (an expression) at an address known now. */
  writeAt(address: number, value: string): void {
    this.pending++;
    if (this.isRam(address)) {
      this.emit(`ram[${address & 0x7f}] = ${value}; last = ${value} | ${WRITE_FLAG};`);
      return;
    }
    this.flush();
    this.emit(`cyc = bus.write(${hex(address)}, ${value}, cyc, last); last = ${value} | ${WRITE_FLAG};`);
    this.called = true;
  }

  /** A write of `value` at the address in local `addr`. */
  writeVia(addr: string, value: string): void {
    this.pending++;
    this.flush();
    this.emit(
      `if ((${addr} & ${this.target.ramMask}) === ${this.target.ramMatch}) ram[${addr} & 0x7f] = ${value}; ` +
        `else cyc = bus.write(${addr}, ${value}, cyc, last);`,
    );
    this.emit(`last = ${value} | ${WRITE_FLAG};`);
    this.called = true;
  }

  /** Pushes `value` (an expression). */
  push(value: string): void {
    this.emit(`r = ${value}; t = 0x100 | sp; sp = (sp - 1) & 0xff;`);
    this.writeVia('t', 'r');
  }
}

/**
 * Where an instruction leaves the flow: the next instruction, or the block ends after it (PC is set); `jumpsTo` is
 * the target of a `JMP abs` or `JSR` (as the window shows it), where the block may go on.
 */
type Flow = { next: number } | { ends: true; jumpsTo?: number };

/**
 * The addressing mode's cycles of a memory instruction at `pc` (after the opcode). Returns the effective address:
 * a number if known now, else 'ea' (the local holding it).
 */
function address(w: BlockWriter, mode: Mode, pc: number, kind: Kind): number | 'ea' {
  const operand = (i: number): number => w.windowByte((pc + i) & 0xffff);
  switch (mode) {
    case 'zp':
      w.readAt(pc);
      return operand(0);
    case 'abs':
      w.readAt(pc);
      w.readAt((pc + 1) & 0xffff);
      return operand(0) | (operand(1) << 8);
    case 'zpx':
    case 'zpy':
      w.readAt(pc);
      w.readAt(operand(0), true);
      w.emit(`ea = (${operand(0)} + ${mode === 'zpx' ? 'x' : 'y'}) & 0xff;`);
      return 'ea';
    case 'absx':
    case 'absy':
      w.readAt(pc);
      w.readAt((pc + 1) & 0xffff);
      w.emit(`s = ${operand(0)} + ${mode === 'absx' ? 'x' : 'y'}; ea = (${operand(1) << 8} + s) & 0xffff;`);
      fixPage(w, String(operand(1) << 8), kind);
      return 'ea';
    case 'indx':
      w.readAt(pc);
      w.readAt(operand(0), true);
      w.emit(`t = (${operand(0)} + x) & 0xff;`);
      w.readVia('t', false, false);
      w.emit('ea = v; t = (t + 1) & 0xff;');
      w.readVia('t', false, false);
      w.emit('ea |= v << 8;');
      return 'ea';
    case 'indy': {
      w.readAt(pc);
      const lo = w.readAt(operand(0));
      w.emit(`s = ${lo} + y;`);
      const hi = w.readAt((operand(0) + 1) & 0xff);
      w.emit(`t = ${hi} << 8; ea = (t + s) & 0xffff;`);
      fixPage(w, 't', kind);
      return 'ea';
    }
    default:
      throw new Error(`no address for mode ${mode}`);
  }
}

/** Indexed modes: the dummy read of the unfixed address (page crossings; writes and RMW always). */
function fixPage(w: BlockWriter, high: string, kind: Kind): void {
  if (kind === 'read') {
    w.flush();
    w.emit(`if (s > 0xff) { cyc++; t = ${high} | (s & 0xff);`);
    w.readVia('t', true, true, true);
    w.emit('}');
  } else {
    w.emit(`t = ${high} | (s & 0xff);`);
    w.readVia('t', true, true);
  }
}

/** The data read of a read or modify instruction; returns the value's expression. */
function readData(w: BlockWriter, ea: number | 'ea'): string {
  return typeof ea === 'number' ? w.readAt(ea) : w.readVia('ea', false, true);
}

function writeData(w: BlockWriter, ea: number | 'ea', value: string): void {
  if (typeof ea === 'number') w.writeAt(ea, value);
  else w.writeVia('ea', value);
}

function readOperation(mnemonic: string, value: string): string {
  const template = READ_OPS[mnemonic]!;
  if (template === '$adc' || template === '$sbc') return addWithCarry(value, template === '$sbc');
  return template.replaceAll('$v', value);
}

/** A timer wait loop's load (see idleWaitRounds in interpreter.ts): `LDA/LDX/LDY abs` from the RIOT's I/O page. */
function timerWait(w: BlockWriter, opcode: number, ea: number, pcAfter: number, index: number): void {
  if ((opcode === 0xac || opcode === 0xad || opcode === 0xae) && (ea & 0x1280) === 0x280) {
    w.flush();
    w.emit(`t = h.idleWaitRounds(bus, ${pcAfter}, ${ea}, v, cyc, remaining - done - ${index + 1} - skipped);`);
    w.emit('cyc += 7 * t; skipped += 2 * t;');
  }
}

/** Code of the instruction at `pc` (its bytes are in the window); `index` = its position in the block. */
function instruction(w: BlockWriter, pc: number, index: number): Flow {
  const opcode = w.windowByte(pc);
  const info = OPCODES[opcode]!;
  const { mnemonic, mode } = info;
  const kind = kindOf(mnemonic, mode);
  const next = (pc + info.bytes) & 0xffff;
  w.readAt(pc);
  const at = (pc + 1) & 0xffff;

  if (kind === 'implied') {
    w.readAt(at, true);
    w.emit(IMPLIED_OPS[mnemonic]!);
    return { next };
  }
  if (kind === 'read' && (mode === 'imm' || mode === 'rel')) {
    w.emit(readOperation(mnemonic, w.readAt(at)));
    return { next };
  }
  if (kind === 'read') {
    const ea = address(w, mode, at, kind);
    const value = readData(w, ea);
    if (typeof ea === 'number') timerWait(w, opcode, ea, next, index);
    w.emit(readOperation(mnemonic, value));
    return { next };
  }
  if (kind === 'write') {
    const ea = address(w, mode, at, kind);
    w.emit(WRITE_OPS[mnemonic]!);
    writeData(w, ea, 'r');
    return { next };
  }
  if (kind === 'modify') {
    const ea = address(w, mode, at, kind);
    const value = readData(w, ea);
    if (value !== 'v') w.emit(`v = ${value};`);
    writeData(w, ea, 'v');
    w.emit(MODIFY_OPS[mnemonic]!.replace('$unpack', UNPACK));
    writeData(w, ea, 'r');
    return { next };
  }
  return control(w, pc, mnemonic, next, index);
}

/** Stack, jump, call, return and branch instructions. */
function control(w: BlockWriter, pc: number, mnemonic: string, next: number, index: number): Flow {
  const at = (pc + 1) & 0xffff;
  const operand = (i: number): number => w.windowByte((at + i) & 0xffff);
  switch (mnemonic) {
    case 'PHA':
    case 'PHP':
      w.readAt(at, true);
      w.push(mnemonic === 'PHA' ? 'a' : 'h.statusByte(fN, fV, fD, fI, fZ, fC)');
      return { next };
    case 'PLA':
    case 'PLP':
    case 'RTS':
    case 'RTI': {
      w.readAt(at, true);
      w.emit('t = 0x100 | sp;');
      w.readVia('t', true, false);
      const pulls = mnemonic === 'RTS' ? 2 : mnemonic === 'RTI' ? 3 : 1;
      for (let i = 0; i < pulls; i++) {
        w.emit('sp = (sp + 1) & 0xff; t = 0x100 | sp;');
        w.readVia('t', false, false);
        w.emit(i === 0 ? 's = v;' : `s |= v << ${8 * i};`);
      }
      if (mnemonic === 'PLA') {
        w.emit('a = fN = fZ = s;');
        return { next };
      }
      if (mnemonic === 'RTS') {
        w.emit('pc = s;');
        w.readVia('pc', true, true);
        w.emit('pc = (pc + 1) & 0xffff;');
        return { ends: true };
      }
      w.emit('v = s & 0xff; fN = v & 0x80; fV = (v >> 6) & 1; fD = (v >> 3) & 1; fI = (v >> 2) & 1;');
      w.emit('fZ = v & 2 ? 0 : 1; fC = v & 1;');
      if (mnemonic === 'PLP') return { next };
      w.emit('pc = s >> 8;');
      return { ends: true };
    }
    case 'JMP':
      if (OPCODES[w.windowByte(pc)]!.mode === 'ind') {
        const pointer = address(w, 'abs', at, 'other') as number;
        w.emit(`ea = ${pointer};`);
        w.readVia('ea', false, true);
        // NMOS: the high byte comes from the same page ($xxFF -> $xx00).
        w.emit(`s = v; ea = ${(pointer & 0xff00) | ((pointer + 1) & 0xff)};`);
        w.readVia('ea', false, true);
        w.emit('pc = s | (v << 8);');
        return { ends: true };
      }
      w.readAt(at);
      w.readAt((at + 1) & 0xffff);
      w.targets.add(operand(0) | (operand(1) << 8));
      w.emit(`pc = ${operand(0) | (operand(1) << 8)};`);
      return { ends: true, jumpsTo: operand(0) | (operand(1) << 8) };
    case 'JSR': {
      w.readAt(at);
      w.emit('t = 0x100 | sp;');
      w.readVia('t', true, false);
      const returnTo = (at + 1) & 0xffff;
      w.push(String(returnTo >> 8));
      w.push(String(returnTo & 0xff));
      const hi = w.readAt(returnTo);
      w.emit(`pc = ${operand(0)} | (${hi} << 8);`);
      // The target as the window shows it: where the block goes on if the pushes left the window as it was.
      return { ends: true, jumpsTo: operand(0) | (w.windowByte(returnTo) << 8) };
    }
    default:
      return branch(w, OPCODES[w.windowByte(pc)]!.opcode, at, index);
  }
}

/**
 * A conditional branch (the block's instruction number `index`): the block ends with both outcomes leaving `pc`
 * set, or goes on along the way `traceWay` picks while the other way leaves the block.
 */
function branch(w: BlockWriter, opcode: number, at: number, index: number): Flow {
  w.readAt(at);
  const next = (at + 1) & 0xffff;
  const offset = w.windowByte(at);
  const target = (next + ((offset ^ 0x80) - 0x80)) & 0xffff;
  const flag = ['(fN & 0x80) !== 0', 'fV !== 0', 'fC !== 0', '(fZ & 0xff) === 0'][opcode >> 6]!;
  const condition = opcode & 0x20 ? flag : `!(${flag})`;
  const way = w.traceWay(next, target);
  w.flush();
  w.targets.add(target);
  if (way === next) {
    w.emit(`if (${condition}) {`);
    takenCycles(w, next, target);
    w.emit(`pc = ${target}; done += ${index + 1}; break run; }`);
    return { next };
  }
  if (way === target) {
    w.emit(`if (!(${condition})) { pc = ${next}; done += ${index + 1}; break run; }`);
    takenCycles(w, next, target);
    return { next: target };
  }
  w.emit(`if (${condition}) {`);
  takenCycles(w, next, target);
  w.emit(`pc = ${target}; } else pc = ${next};`);
  return { ends: true };
}

/** A taken branch's extra cycles: the dummy read of the next opcode, and of the unfixed target on a page crossing. */
function takenCycles(w: BlockWriter, next: number, target: number): void {
  w.readAt(next, true);
  if ((target ^ next) & 0xff00) w.readAt((next & 0xff00) | (target & 0xff), true);
  w.flush();
}

/** Whether the instruction at `pc` can be compiled: all its bytes in the window, not BRK or KIL. */
function compilable(window: Int16Array, pc: number): boolean {
  if ((pc & 0x1000) === 0 || window[pc & 0xfff]! < 0) return false;
  const info = OPCODES[window[pc & 0xfff]!]!;
  if (info.mnemonic === 'BRK' || info.mnemonic === 'KIL') return false;
  for (let i = 1; i < info.bytes; i++) {
    const a = (pc + i) & 0xffff;
    if ((a & 0x1000) === 0 || window[a & 0xfff]! < 0) return false;
  }
  return true;
}

const REGISTERS = ['a', 'x', 'y', 'sp', 'fN', 'fZ', 'fC', 'fV', 'fD', 'fI'];

/** The code of one block and its length. */
interface BlockCode {
  code: string;
  instructions: number;
  /** Its last instruction may have called the bus: check the stop request and the window before going on. */
  checkAfter: boolean;
  /** It may branch or jump back to its own start (a wait or copy loop). */
  loops: boolean;
}

function blockCode(target: BlockTarget, start: number, arrivals: Int32Array | null): BlockCode {
  const w = new BlockWriter(target, arrivals);
  let pc = start;
  let count = 0;
  for (;;) {
    w.startInstruction();
    w.visited.add(pc);
    const flow = instruction(w, pc, count);
    count++;
    if ('ends' in flow) {
      // A jump elsewhere is no end: the block goes on at its target (the run loop would only look up that block).
      const to = flow.jumpsTo;
      if (to === undefined || w.visited.has(to) || count >= MAX_BLOCK_INSTRUCTIONS || !compilable(target.window, to)) {
        w.flush();
        return { code: w.source(), instructions: count, checkAfter: w.mayHaveCalled, loops: w.targets.has(start) };
      }
      // The instruction has set `pc`: a stop or bank switch by its bus calls leaves there.
      if (w.mayHaveCalled) w.emit(`if (bus.stopRequested || bus.readWindow !== W) { done += ${count}; break run; }`);
      pc = to;
      continue;
    }
    pc = flow.next;
    if (count >= MAX_BLOCK_INSTRUCTIONS || !compilable(target.window, pc)) {
      w.flush();
      w.emit(`pc = ${pc};`);
      return { code: w.source(), instructions: count, checkAfter: w.mayHaveCalled, loops: false };
    }
    if (w.mayHaveCalled) {
      w.flush();
      w.emit(`if (bus.stopRequested || bus.readWindow !== W) { pc = ${pc}; done += ${count}; break run; }`);
    }
  }
}

/**
 * The body of `function (cpu, bus, remaining, h)` for the block at `start`, or null if its first instruction cannot
 * be compiled. The function runs the block (stopping early after an instruction in which the bus asked to stop or
 * switched banks), and again while it branches back to its start (a wait or copy loop), the budget covers it, the
 * bus has not asked to stop and the window is the same, as the caller would; then it stores the registers, PC,
 * cycle counter and data bus back and returns the number of instructions run (timer-loop rounds it skipped
 * included). `remaining` = the caller's instruction budget (>= the block's instructions); `h` = the helpers (adc,
 * sbc, arrDecimal, statusByte, idleWaitRounds).
 *
 * Tried and left out: regions of several blocks (a `switch` over PC in one function, so that branches between
 * them stay inside) ran slower, up to 2-3x on Space Invaders and Seaquest: V8 optimizes the larger functions later
 * and deoptimizes them on each new path.
 */
export function blockSource(
  target: BlockTarget,
  start: number,
  arrivals: Int32Array | null = null,
): BlockSource | null {
  if (!compilable(target.window, start)) return null;
  const block = blockCode(target, start, arrivals);
  // Only a block that may come back to its start is a loop: TurboFan compiles a loop at about twice the cost (it
  // peels the first iteration), and most blocks never repeat.
  const code = block.loops
    ? [
        'run: for (;;) {',
        `if (remaining - done - skipped < ${block.instructions}) break run;`,
        block.code,
        `done += ${block.instructions};`,
        block.checkAfter ? 'if (bus.stopRequested || bus.readWindow !== W) break run;' : '',
        `if (pc !== ${start}) break;`,
        '}',
      ].join('\n')
    : ['run: {', block.code, `done += ${block.instructions};`, '}'].join('\n');
  const used = REGISTERS.filter((r) => new RegExp(`\\b${r}\\b`).test(code));
  const assigned = REGISTERS.filter((r) => new RegExp(`\\b${r} (=|\\+=|\\|=|-=)(?!=)`).test(code));
  const body = [
    `let ${used
      .map((r) => `${r} = cpu.${r}`)
      .concat(['v = 0', 'r = 0', 't = 0', 's = 0', 'ea = 0'])
      .join(', ')};`,
    `let cyc = bus.cycles, last = 0, pc = ${start}, done = 0, skipped = 0;`,
    'const ram = bus.directRam, W = bus.readWindow;',
    code,
    ...assigned.map((r) => `cpu.${r} = ${r};`),
    'cpu.pc = pc; bus.cycles = cyc; bus.lastAccess = last;',
    'return done + skipped;',
  ].join('\n');
  return { body, instructions: block.instructions };
}
