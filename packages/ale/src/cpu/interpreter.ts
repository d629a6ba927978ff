/**
 * The 6507 interpreter: one function that runs instructions with the registers, flags, cycle counter and last
 * data-bus value in locals. The most frequent instructions have their own code (Fast below); every other one is
 * decoded (DECODE) into an addressing mode and an operation: the mode's bus cycles run first, then the data access
 * its kind implies, then the operation.
 *
 * Every bus access is written out as the same three-line pattern, so that RAM and cartridge-ROM accesses cost no
 * call (see CycleBus): count the cycle; serve it from the read window or RAM, else call the bus with the cycle and
 * the previous access; remember the value. The cycle-by-cycle access order is the real chip's (see README.md).
 *
 * Case labels must stay literal numbers for V8 to compile the switches to jump tables: the enums are `const` and
 * declared here (TypeScript and esbuild inline same-file const enums). That is also why the file is long: the
 * tables and the function cannot be split across modules without losing the jump tables.
 */
import { PACKED_C, PACKED_N, PACKED_V, PACKED_Z, UNSTABLE_MAGIC, adc, arrDecimal, sbc, statusByte } from './arith.js';
import { DUMMY_READ, WRITE_FLAG, type CycleBus } from './bus.js';
import type { Cpu6502 } from './cpu.js';
import { OPCODES } from './opcodes.js';

/** Address computation: the cycles between the opcode fetch and the data access. */
const enum Mode {
  /** implied/accumulator: dummy read of the next byte */
  Implied,
  /** the operand byte itself is the data (read by the Read kind; PC advances) */
  Immediate,
  Zp,
  ZpX,
  ZpY,
  Abs,
  /** abs,X / abs,Y: dummy read of the unfixed address on a page crossing, always for writes and RMW */
  AbsX,
  AbsY,
  /** (zp,X): dummy read of the pointer base, then the pointer (wrapping in page zero) */
  IndX,
  /** (zp),Y: like abs,Y after reading the pointer */
  IndY,
}

/**
 * Operations, grouped by kind: Read ops get the byte at the effective address in `v`; Write ops compute `r`,
 * which is then written; Modify ops read `v`, write it back unchanged (the NMOS dummy write), compute `r`, which is
 * written; Other ops do their own accesses.
 */
const enum Op {
  ORA,
  AND,
  EOR,
  ADC,
  SBC,
  CMP,
  CPX,
  CPY,
  BIT,
  LDA,
  LDX,
  LDY,
  LAX,
  LAS,
  NOP,
  ANC,
  ALR,
  ARR,
  ANE,
  LXA,
  SBX,
  /** all eight branches (run before the general decoder, see Fast) */
  BRANCH,
  /** BRK: the operand is the skipped signature byte */
  BRK,
  /** JSR: the operand is the target's low byte */
  JSR,
  STA,
  STX,
  STY,
  SAX,
  SHA,
  SHX,
  SHY,
  TAS,
  ASL,
  LSR,
  ROL,
  ROR,
  INC,
  DEC,
  SLO,
  RLA,
  SRE,
  RRA,
  DCP,
  ISB,
  /** the one-byte register, flag and NOP instructions, ASL_A to NOP_IMPLIED (run by Fast.Implied) */
  ASL_A,
  LSR_A,
  ROL_A,
  ROR_A,
  CLC,
  SEC,
  CLI,
  SEI,
  CLV,
  CLD,
  SED,
  TAX,
  TAY,
  TXA,
  TYA,
  TSX,
  TXS,
  INX,
  INY,
  DEX,
  DEY,
  NOP_IMPLIED,
  KIL,
  /** PHA, PHP: run by Fast.Push */
  PHA,
  PHP,
  PLA,
  PLP,
  RTS,
  RTI,
  JMP,
  JMP_IND,
}

const FIRST_WRITE = Op.STA;
const FIRST_MODIFY = Op.ASL;
const FIRST_OTHER = Op.ASL_A;

/** Operation of each mnemonic (memory forms; the implied forms are told apart by the table's mode). */
const OPERATIONS: Record<string, Op> = {
  ORA: Op.ORA,
  AND: Op.AND,
  EOR: Op.EOR,
  ADC: Op.ADC,
  SBC: Op.SBC,
  CMP: Op.CMP,
  CPX: Op.CPX,
  CPY: Op.CPY,
  BIT: Op.BIT,
  LDA: Op.LDA,
  LDX: Op.LDX,
  LDY: Op.LDY,
  LAX: Op.LAX,
  LAS: Op.LAS,
  NOP: Op.NOP,
  ANC: Op.ANC,
  ALR: Op.ALR,
  ARR: Op.ARR,
  ANE: Op.ANE,
  LXA: Op.LXA,
  SBX: Op.SBX,
  BPL: Op.BRANCH,
  BMI: Op.BRANCH,
  BVC: Op.BRANCH,
  BVS: Op.BRANCH,
  BCC: Op.BRANCH,
  BCS: Op.BRANCH,
  BNE: Op.BRANCH,
  BEQ: Op.BRANCH,
  BRK: Op.BRK,
  JSR: Op.JSR,
  STA: Op.STA,
  STX: Op.STX,
  STY: Op.STY,
  SAX: Op.SAX,
  SHA: Op.SHA,
  SHX: Op.SHX,
  SHY: Op.SHY,
  TAS: Op.TAS,
  ASL: Op.ASL,
  LSR: Op.LSR,
  ROL: Op.ROL,
  ROR: Op.ROR,
  INC: Op.INC,
  DEC: Op.DEC,
  SLO: Op.SLO,
  RLA: Op.RLA,
  SRE: Op.SRE,
  RRA: Op.RRA,
  DCP: Op.DCP,
  ISB: Op.ISB,
  CLC: Op.CLC,
  SEC: Op.SEC,
  CLI: Op.CLI,
  SEI: Op.SEI,
  CLV: Op.CLV,
  CLD: Op.CLD,
  SED: Op.SED,
  TAX: Op.TAX,
  TAY: Op.TAY,
  TXA: Op.TXA,
  TYA: Op.TYA,
  TSX: Op.TSX,
  TXS: Op.TXS,
  INX: Op.INX,
  INY: Op.INY,
  DEX: Op.DEX,
  DEY: Op.DEY,
  KIL: Op.KIL,
  PHA: Op.PHA,
  PHP: Op.PHP,
  PLA: Op.PLA,
  PLP: Op.PLP,
  RTS: Op.RTS,
  RTI: Op.RTI,
  JMP: Op.JMP,
};

const IMPLIED_FORMS: Record<string, Op> = {
  ASL: Op.ASL_A,
  LSR: Op.LSR_A,
  ROL: Op.ROL_A,
  ROR: Op.ROR_A,
  NOP: Op.NOP_IMPLIED,
};

const MODES: Record<string, Mode> = {
  imp: Mode.Implied,
  acc: Mode.Implied,
  imm: Mode.Immediate,
  rel: Mode.Immediate,
  zp: Mode.Zp,
  zpx: Mode.ZpX,
  zpy: Mode.ZpY,
  abs: Mode.Abs,
  absx: Mode.AbsX,
  absy: Mode.AbsY,
  ind: Mode.Abs,
  indx: Mode.IndX,
  indy: Mode.IndY,
};

/** DECODE[opcode] = mode | operation << 4, from the opcode table. */
const DECODE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (const info of OPCODES) {
    const implied = info.mode === 'imp' || info.mode === 'acc';
    let op = (implied ? IMPLIED_FORMS[info.mnemonic] : undefined) ?? OPERATIONS[info.mnemonic];
    let mode = MODES[info.mode];
    if (op === undefined || mode === undefined) throw new Error(`no decoding for ${info.mnemonic}.${info.mode}`);
    if (info.mnemonic === 'JMP' && info.mode === 'ind') op = Op.JMP_IND;
    // BRK and JSR fetch one operand byte before their own cycles.
    if (op === Op.BRK || op === Op.JSR) mode = Mode.Immediate;
    table[info.opcode] = mode | (op << 4);
  }
  return table;
})();

/**
 * The most frequent instructions (87-98 % of those the paper games run) have their own code before the general
 * decoder: one dispatch instead of two, no generic access phases. Branches, the one-byte register instructions and
 * the pushes are only here.
 */
const enum Fast {
  None,
  Branch,
  /** STA/STX/STY zp */
  StoreZp,
  /** LDA/LDX/LDY #imm, zp, abs */
  LoadImm,
  LoadZp,
  LoadAbs,
  /** LDA zp,X / abs,X / abs,Y / (zp),Y */
  LoadIndexed,
  /** ORA AND EOR ADC CMP SBC CPX CPY, #imm and zp */
  Alu,
  /** every one-byte register, flag and NOP instruction (Op.ASL_A to Op.NOP_IMPLIED) */
  Implied,
  /** PHA PHP */
  Push,
}

const FAST: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const op of [0x10, 0x30, 0x50, 0x70, 0x90, 0xb0, 0xd0, 0xf0]) table[op] = Fast.Branch;
  for (const op of [0x84, 0x85, 0x86]) table[op] = Fast.StoreZp;
  for (const op of [0xa0, 0xa2, 0xa9]) table[op] = Fast.LoadImm;
  for (const op of [0xa4, 0xa5, 0xa6]) table[op] = Fast.LoadZp;
  for (const op of [0xac, 0xad, 0xae]) table[op] = Fast.LoadAbs;
  for (const op of [0xb5, 0xbd, 0xb9, 0xb1]) table[op] = Fast.LoadIndexed;
  for (const op of [0x09, 0x29, 0x49, 0x69, 0xc9, 0xe9, 0x05, 0x25, 0x45, 0x65, 0xc5, 0xe5]) table[op] = Fast.Alu;
  for (const op of [0xc0, 0xe0, 0xc4, 0xe4]) table[op] = Fast.Alu;
  for (const op of [0x48, 0x08]) table[op] = Fast.Push;
  for (let op = 0; op < 256; op++) {
    const operation = DECODE[op]! >> 4;
    if (operation >= Op.ASL_A && operation <= Op.NOP_IMPLIED) table[op] = Fast.Implied;
  }
  return table;
})();

/**
 * Rounds of a timer wait loop `LDA/LDX/LDY abs` + `BNE` or `BPL` back to it that need not run
 * (CycleBus.idleCountdownReads): the load ending before `pc` has just read `v` from `ea` at cycle `cyc`, the branch
 * is taken, and the next rounds read at cyc + 7, cyc + 14, ... As long as the timer counts down and stays >= 1
 * (BNE) or >= 0 (BPL, from a value below $80) the branch stays taken. Skipping k rounds is adding 7k cycles and 2k
 * instructions: all six bytes of the loop come from the read window (fetching them has no side effect), the branch
 * stays in its page, and the skipped loads' values are overwritten by the next load before anything but the branch
 * sees them. At least two rounds are left to the interpreter, so that an instruction limit (`remaining`) stops it at
 * the same instruction.
 */
export function idleWaitRounds(
  bus: CycleBus,
  pc: number,
  ea: number,
  v: number,
  cyc: number,
  remaining: number,
): number {
  const start = pc - 3;
  if ((start & 0x1000) === 0 || ((start ^ (pc + 2)) & 0xff00) !== 0) return 0;
  const w = bus.readWindow;
  const i = start & 0xfff;
  const branch = w[i + 3];
  const taken = branch === 0xd0 ? v !== 0 : branch === 0x10 && v < 0x80;
  if (!taken || w[i + 4] !== 0xfb || w[i]! < 0 || w[i + 1]! < 0 || w[i + 2]! < 0 || w[i + 5]! < 0) return 0;
  const rounds = Math.min(bus.idleCountdownReads(ea, cyc + 7, 7, branch === 0xd0 ? 1 : 0), (remaining >> 1) - 2);
  return rounds > 0 ? rounds : 0;
}

/**
 * Runs up to `limit` instructions on `cpu` (stopping after the instruction during which the bus set
 * `stopRequested`); returns how many ran. A jammed CPU reads $FFFF once per "instruction".
 *
 * With `heat` (the block compiler, blocks.ts): after each branch, jump, call and return it also stops when the read
 * window is no longer the one it started with, or when the count of arrivals at the new PC in `heat` reaches
 * `hotAfter` (a compiled block starts there, or one should be).
 */
export function execute(
  cpu: Cpu6502,
  bus: CycleBus,
  limit: number,
  heat: Int32Array | null = null,
  hotAfter = 0,
): number {
  const window = bus.readWindow;
  let a = cpu.a,
    x = cpu.x,
    y = cpu.y,
    sp = cpu.sp,
    pc = cpu.pc;
  let fN = cpu.fN,
    fZ = cpu.fZ,
    fC = cpu.fC,
    fV = cpu.fV,
    fD = cpu.fD,
    fI = cpu.fI;
  let jammed = cpu.jammed;
  let cyc = bus.cycles;
  let last = bus.lastAccess;
  const ram = bus.directRam,
    ramMask = bus.directRamMask,
    ramMatch = bus.directRamMatch;
  let done = 0;
  let v = 0,
    r = 0,
    ea = 0,
    t = 0;

  // A KIL leaves this loop; the jammed CPU's reads follow it.
  if (!jammed)
    instructions: while (done < limit && !bus.stopRequested) {
      done++;
      cyc++;
      if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
        v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
      last = v;
      pc = (pc + 1) & 0xffff;
      const opcode = v;

      switch (FAST[opcode] as Fast) {
        case Fast.None:
          break;
        case Fast.Branch: {
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          // Opcode bits 7-6 pick the flag (N V C Z), bit 5 the flag value that takes the branch.
          const which = opcode >> 6;
          const set =
            which === 0 ? (fN & 0x80) !== 0 : which === 1 ? fV !== 0 : which === 2 ? fC !== 0 : (fZ & 0xff) === 0;
          if (set !== ((opcode & 0x20) !== 0)) {
            if (heat !== null && (bus.readWindow !== window || ++heat[pc]! >= hotAfter)) break instructions;
            continue;
          }
          // Taken: dummy read of the next opcode; on a page crossing also of the target's low byte in the old page.
          const offset = v;
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc | DUMMY_READ, cyc, last);
          last = v;
          t = (pc + ((offset ^ 0x80) - 0x80)) & 0xffff;
          if ((t ^ pc) & 0xff00) {
            ea = (pc & 0xff00) | (t & 0xff);
            cyc++;
            if ((ea & 0x1000) === 0 || (v = bus.readWindow[ea & 0xfff]) < 0)
              v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea | DUMMY_READ, cyc, last);
            last = v;
          }
          pc = t;
          if (heat !== null && (bus.readWindow !== window || ++heat[pc]! >= hotAfter)) break instructions;
          continue;
        }
        case Fast.StoreZp:
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          ea = v;
          r = opcode === 0x85 ? a : opcode === 0x86 ? x : y;
          cyc++;
          if ((ea & ramMask) === ramMatch) ram[ea & 0x7f] = r;
          else cyc = bus.write(ea, r, cyc, last);
          last = r | WRITE_FLAG;
          continue;
        case Fast.LoadImm:
        case Fast.LoadZp:
        case Fast.LoadAbs:
          // Operand bytes, then (zp, abs) the data read; v = the loaded value.
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          if ((opcode & 0x0c) === 0x0c) {
            ea = v;
            cyc++;
            if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
              v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
            last = v;
            pc = (pc + 1) & 0xffff;
            ea |= v << 8;
            cyc++;
            if ((ea & 0x1000) === 0 || (v = bus.readWindow[ea & 0xfff]) < 0)
              v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea, cyc, last);
            last = v;
            // A load from the RIOT's I/O page may be a round of a timer wait loop.
            if ((ea & 0x1280) === 0x280) {
              t = idleWaitRounds(bus, pc, ea, v, cyc, limit - done);
              cyc += 7 * t;
              done += 2 * t;
            }
          } else if (opcode & 0x04) {
            ea = v;
            cyc++;
            v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea, cyc, last);
            last = v;
          }
          // Bits 1-0 of the opcode: 0 LDY, 1 LDA, 2 LDX.
          if ((opcode & 3) === 1) a = fN = fZ = v;
          else if (opcode & 2) x = fN = fZ = v;
          else y = fN = fZ = v;
          continue;
        case Fast.LoadIndexed: {
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          if (opcode === 0xb5) {
            // zp,X: dummy read of the base, then the data in page zero.
            ea = v;
            cyc++;
            v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea | DUMMY_READ, cyc, last);
            last = v;
            ea = (ea + x) & 0xff;
            cyc++;
            v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea, cyc, last);
            last = v;
            a = fN = fZ = v;
            continue;
          }
          // (zp),Y reads the pointer, abs,X / abs,Y the high byte; v = high byte, sum = low byte + index.
          let sum: number;
          if (opcode === 0xb1) {
            t = v;
            cyc++;
            v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t, cyc, last);
            last = v;
            sum = v + y;
            t = (t + 1) & 0xff;
            cyc++;
            v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t, cyc, last);
            last = v;
          } else {
            sum = v + (opcode === 0xbd ? x : y);
            cyc++;
            if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
              v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
            last = v;
            pc = (pc + 1) & 0xffff;
          }
          ea = ((v << 8) + sum) & 0xffff;
          if (sum > 0xff) {
            // Page crossing: dummy read of the unfixed address.
            t = (v << 8) | (sum & 0xff);
            cyc++;
            if ((t & 0x1000) === 0 || (v = bus.readWindow[t & 0xfff]) < 0)
              v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t | DUMMY_READ, cyc, last);
            last = v;
          }
          cyc++;
          if ((ea & 0x1000) === 0 || (v = bus.readWindow[ea & 0xfff]) < 0)
            v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea, cyc, last);
          last = v;
          a = fN = fZ = v;
          continue;
        }
        case Fast.Alu:
          // Operand byte, then (zp) the data read in page zero; v = the operand.
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          if (opcode & 0x04) {
            ea = v;
            cyc++;
            v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea, cyc, last);
            last = v;
          }
          // Opcode bits 7-5 pick the operation of the ORA..SBC group (bit 0 set); CPX and CPY compare like CMP.
          switch (opcode & 1 ? opcode >> 5 : 6) {
            case 0:
              a = fN = fZ = a | v;
              break;
            case 1:
              a = fN = fZ = a & v;
              break;
            case 2:
              a = fN = fZ = a ^ v;
              break;
            case 6:
              t = (opcode & 1 ? a : opcode & 0x20 ? x : y) - v;
              fC = t >= 0 ? 1 : 0;
              fN = fZ = t & 0xff;
              break;
            default:
              // ADC or SBC. Binary mode here (SBC is A + ~M + C): V8 does not inline arith.ts's calls into this large
              // function, and the call cost Pong (SBC zp is 7 % of its instructions) 6-9 % of its speed.
              if (fD === 0) {
                r = opcode & 0x80 ? v ^ 0xff : v;
                t = a + r + fC;
                fV = (((a ^ t) & (r ^ t)) >> 7) & 1;
                fC = t >> 8;
                a = fN = fZ = t & 0xff;
                break;
              }
              t = opcode & 0x80 ? sbc(a, v, fC, fD) : adc(a, v, fC, fD);
              a = t & 0xff;
              fC = (t & PACKED_C) >> 8;
              fV = (t & PACKED_V) >> 9;
              fN = (t & PACKED_N) >> 3;
              fZ = t & PACKED_Z ? 0 : 1;
              break;
          }
          continue;
        case Fast.Implied:
          // Dummy read of the next byte.
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc | DUMMY_READ, cyc, last);
          last = v;
          switch ((DECODE[opcode]! >> 4) as Op) {
            case Op.ASL_A:
              fC = a >> 7;
              a = fN = fZ = (a << 1) & 0xff;
              break;
            case Op.LSR_A:
              fC = a & 1;
              a = fN = fZ = a >> 1;
              break;
            case Op.ROL_A:
              t = ((a << 1) & 0xff) | fC;
              fC = a >> 7;
              a = fN = fZ = t;
              break;
            case Op.ROR_A:
              t = (a >> 1) | (fC << 7);
              fC = a & 1;
              a = fN = fZ = t;
              break;
            case Op.CLC:
              fC = 0;
              break;
            case Op.SEC:
              fC = 1;
              break;
            case Op.CLI:
              fI = 0;
              break;
            case Op.SEI:
              fI = 1;
              break;
            case Op.CLV:
              fV = 0;
              break;
            case Op.CLD:
              fD = 0;
              break;
            case Op.SED:
              fD = 1;
              break;
            case Op.TAX:
              x = fN = fZ = a;
              break;
            case Op.TAY:
              y = fN = fZ = a;
              break;
            case Op.TXA:
              a = fN = fZ = x;
              break;
            case Op.TYA:
              a = fN = fZ = y;
              break;
            case Op.TSX:
              x = fN = fZ = sp;
              break;
            case Op.TXS:
              sp = x;
              break;
            case Op.INX:
              x = fN = fZ = (x + 1) & 0xff;
              break;
            case Op.INY:
              y = fN = fZ = (y + 1) & 0xff;
              break;
            case Op.DEX:
              x = fN = fZ = (x - 1) & 0xff;
              break;
            case Op.DEY:
              y = fN = fZ = (y - 1) & 0xff;
              break;
            default:
              break; // NOP_IMPLIED
          }
          continue;
        case Fast.Push:
          // Dummy read of the next byte, then the push.
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc | DUMMY_READ, cyc, last);
          last = v;
          r = opcode === 0x48 ? a : statusByte(fN, fV, fD, fI, fZ, fC);
          t = 0x100 | sp;
          sp = (sp - 1) & 0xff;
          cyc++;
          if ((t & ramMask) === ramMatch) ram[t & 0x7f] = r;
          else cyc = bus.write(t, r, cyc, last);
          last = r | WRITE_FLAG;
          continue;
      }

      const decoded = DECODE[opcode];
      const op = decoded >> 4;

      switch ((decoded & 15) as Mode) {
        case Mode.Implied:
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc | DUMMY_READ, cyc, last);
          last = v;
          break;
        case Mode.Immediate:
          ea = pc;
          pc = (pc + 1) & 0xffff;
          break;
        case Mode.Zp:
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          ea = v;
          break;
        case Mode.ZpX:
        case Mode.ZpY:
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          ea = v;
          cyc++;
          v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea | DUMMY_READ, cyc, last);
          last = v;
          ea = (ea + ((decoded & 15) === Mode.ZpX ? x : y)) & 0xff;
          break;
        case Mode.Abs:
        case Mode.AbsX:
        case Mode.AbsY: {
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          const lo = v;
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          if ((decoded & 15) === Mode.Abs) {
            ea = lo | (v << 8);
            break;
          }
          const sum = lo + ((decoded & 15) === Mode.AbsX ? x : y);
          ea = ((v << 8) + sum) & 0xffff;
          if (sum > 0xff || op >= FIRST_WRITE) {
            t = (v << 8) | (sum & 0xff);
            cyc++;
            if ((t & 0x1000) === 0 || (v = bus.readWindow[t & 0xfff]) < 0)
              v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t | DUMMY_READ, cyc, last);
            last = v;
          }
          break;
        }
        case Mode.IndX:
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          t = v;
          cyc++;
          v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t | DUMMY_READ, cyc, last);
          last = v;
          t = (t + x) & 0xff;
          cyc++;
          v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t, cyc, last);
          last = v;
          ea = v;
          t = (t + 1) & 0xff;
          cyc++;
          v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t, cyc, last);
          last = v;
          ea |= v << 8;
          break;
        case Mode.IndY: {
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          t = v;
          cyc++;
          v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t, cyc, last);
          last = v;
          const sum = v + y;
          t = (t + 1) & 0xff;
          cyc++;
          v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t, cyc, last);
          last = v;
          ea = ((v << 8) + sum) & 0xffff;
          if (sum > 0xff || op >= FIRST_WRITE) {
            t = (v << 8) | (sum & 0xff);
            cyc++;
            if ((t & 0x1000) === 0 || (v = bus.readWindow[t & 0xfff]) < 0)
              v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t | DUMMY_READ, cyc, last);
            last = v;
          }
          break;
        }
      }

      if (op < FIRST_WRITE || (op >= FIRST_MODIFY && op < FIRST_OTHER)) {
        cyc++;
        if ((ea & 0x1000) === 0 || (v = bus.readWindow[ea & 0xfff]) < 0)
          v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea, cyc, last);
        last = v;
        if (op >= FIRST_MODIFY) {
          cyc++;
          if ((ea & ramMask) === ramMatch) ram[ea & 0x7f] = v;
          else cyc = bus.write(ea, v, cyc, last);
          last = v | WRITE_FLAG;
        }
      }

      switch (op as Op) {
        // ---- read: v = operand
        case Op.ORA:
          a = fN = fZ = a | v;
          break;
        case Op.AND:
          a = fN = fZ = a & v;
          break;
        case Op.EOR:
          a = fN = fZ = a ^ v;
          break;
        case Op.ADC:
          t = adc(a, v, fC, fD);
          a = t & 0xff;
          fC = (t & PACKED_C) >> 8;
          fV = (t & PACKED_V) >> 9;
          fN = (t & PACKED_N) >> 3;
          fZ = t & PACKED_Z ? 0 : 1;
          break;
        case Op.SBC:
          t = sbc(a, v, fC, fD);
          a = t & 0xff;
          fC = (t & PACKED_C) >> 8;
          fV = (t & PACKED_V) >> 9;
          fN = (t & PACKED_N) >> 3;
          fZ = t & PACKED_Z ? 0 : 1;
          break;
        case Op.CMP:
          t = a - v;
          fC = t >= 0 ? 1 : 0;
          fN = fZ = t & 0xff;
          break;
        case Op.CPX:
          t = x - v;
          fC = t >= 0 ? 1 : 0;
          fN = fZ = t & 0xff;
          break;
        case Op.CPY:
          t = y - v;
          fC = t >= 0 ? 1 : 0;
          fN = fZ = t & 0xff;
          break;
        case Op.BIT:
          fZ = a & v;
          fN = v;
          fV = (v >> 6) & 1;
          break;
        case Op.LDA:
          a = fN = fZ = v;
          break;
        case Op.LDX:
          x = fN = fZ = v;
          break;
        case Op.LDY:
          y = fN = fZ = v;
          break;
        case Op.LAX:
          a = x = fN = fZ = v;
          break;
        case Op.LAS:
          a = x = sp = fN = fZ = sp & v;
          break;
        case Op.NOP:
          break;
        case Op.ANC:
          a = fN = fZ = a & v;
          fC = a >> 7;
          break;
        case Op.ALR:
          t = a & v;
          fC = t & 1;
          a = fN = fZ = t >> 1;
          break;
        case Op.ARR: {
          t = a & v;
          const rotated = (t >> 1) | (fC << 7);
          if (!fD) {
            a = fN = fZ = rotated;
            fC = (rotated >> 6) & 1;
            fV = ((rotated >> 6) ^ (rotated >> 5)) & 1;
          } else {
            fN = fC << 7;
            fZ = rotated;
            fV = ((t ^ rotated) >> 6) & 1;
            const fixed = arrDecimal(t, rotated);
            a = fixed & 0xff;
            fC = fixed >> 8;
          }
          break;
        }
        case Op.ANE:
          a = fN = fZ = (a | UNSTABLE_MAGIC) & x & v;
          break;
        case Op.LXA:
          a = x = fN = fZ = (a | UNSTABLE_MAGIC) & v;
          break;
        case Op.SBX:
          t = (a & x) - v;
          fC = t >= 0 ? 1 : 0;
          x = fN = fZ = t & 0xff;
          break;
        case Op.BRK: {
          // Push PC and P (B set), then the vector at $FFFE.
          for (let i = 0; i < 3; i++) {
            r = i === 0 ? pc >> 8 : i === 1 ? pc & 0xff : statusByte(fN, fV, fD, fI, fZ, fC);
            t = 0x100 | sp;
            sp = (sp - 1) & 0xff;
            cyc++;
            if ((t & ramMask) === ramMatch) ram[t & 0x7f] = r;
            else cyc = bus.write(t, r, cyc, last);
            last = r | WRITE_FLAG;
          }
          fI = 1;
          cyc++;
          if ((v = bus.readWindow[0xffe]) < 0) v = bus.read(0xfffe, cyc, last);
          last = v;
          t = v;
          cyc++;
          if ((v = bus.readWindow[0xfff]) < 0) v = bus.read(0xffff, cyc, last);
          last = v;
          pc = t | (v << 8);
          if (heat !== null && (bus.readWindow !== window || ++heat[pc]! >= hotAfter)) break instructions;
          break;
        }
        case Op.JSR: {
          // v = target low byte; dummy stack read, push PCH, push PCL, fetch the high byte.
          const lo = v;
          t = 0x100 | sp;
          cyc++;
          v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t | DUMMY_READ, cyc, last);
          last = v;
          for (let i = 0; i < 2; i++) {
            r = i === 0 ? pc >> 8 : pc & 0xff;
            t = 0x100 | sp;
            sp = (sp - 1) & 0xff;
            cyc++;
            if ((t & ramMask) === ramMatch) ram[t & 0x7f] = r;
            else cyc = bus.write(t, r, cyc, last);
            last = r | WRITE_FLAG;
          }
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc, cyc, last);
          last = v;
          pc = lo | (v << 8);
          if (heat !== null && (bus.readWindow !== window || ++heat[pc]! >= hotAfter)) break instructions;
          break;
        }
        // ---- write: r = value to store
        case Op.STA:
          r = a;
          break;
        case Op.STX:
          r = x;
          break;
        case Op.STY:
          r = y;
          break;
        case Op.SAX:
          r = a & x;
          break;
        case Op.SHA:
          r = a & x & ((ea >> 8) + 1);
          break;
        case Op.SHX:
          r = x & ((ea >> 8) + 1);
          break;
        case Op.SHY:
          r = y & ((ea >> 8) + 1);
          break;
        case Op.TAS:
          sp = a & x;
          r = sp & ((ea >> 8) + 1);
          break;
        // ---- read-modify-write: v = old value, r = new value
        case Op.ASL:
          fC = v >> 7;
          r = fN = fZ = (v << 1) & 0xff;
          break;
        case Op.LSR:
          fC = v & 1;
          r = fN = fZ = v >> 1;
          break;
        case Op.ROL:
          r = fN = fZ = ((v << 1) & 0xff) | fC;
          fC = v >> 7;
          break;
        case Op.ROR:
          r = fN = fZ = (v >> 1) | (fC << 7);
          fC = v & 1;
          break;
        case Op.INC:
          r = fN = fZ = (v + 1) & 0xff;
          break;
        case Op.DEC:
          r = fN = fZ = (v - 1) & 0xff;
          break;
        case Op.SLO:
          r = (v << 1) & 0xff;
          fC = v >> 7;
          a = fN = fZ = a | r;
          break;
        case Op.RLA:
          r = ((v << 1) & 0xff) | fC;
          fC = v >> 7;
          a = fN = fZ = a & r;
          break;
        case Op.SRE:
          r = v >> 1;
          fC = v & 1;
          a = fN = fZ = a ^ r;
          break;
        case Op.RRA:
          r = (v >> 1) | (fC << 7);
          t = adc(a, r, v & 1, fD);
          a = t & 0xff;
          fC = (t & PACKED_C) >> 8;
          fV = (t & PACKED_V) >> 9;
          fN = (t & PACKED_N) >> 3;
          fZ = t & PACKED_Z ? 0 : 1;
          break;
        case Op.DCP:
          r = (v - 1) & 0xff;
          t = a - r;
          fC = t >= 0 ? 1 : 0;
          fN = fZ = t & 0xff;
          break;
        case Op.ISB:
          r = (v + 1) & 0xff;
          t = sbc(a, r, fC, fD);
          a = t & 0xff;
          fC = (t & PACKED_C) >> 8;
          fV = (t & PACKED_V) >> 9;
          fN = (t & PACKED_N) >> 3;
          fZ = t & PACKED_Z ? 0 : 1;
          break;
        // ---- implied (the dummy read of the next byte is done)
        case Op.KIL:
          jammed = true;
          break instructions;
        case Op.PLA:
        case Op.PLP:
        case Op.RTS:
        case Op.RTI: {
          // Dummy stack read, then pull 1 (PLA, PLP), 2 (RTS: PCL, PCH) or 3 (RTI: P, PCL, PCH) bytes.
          t = 0x100 | sp;
          cyc++;
          v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t | DUMMY_READ, cyc, last);
          last = v;
          const pulls = op === Op.RTS ? 2 : op === Op.RTI ? 3 : 1;
          let pulled = 0;
          for (let i = 0; i < pulls; i++) {
            sp = (sp + 1) & 0xff;
            t = 0x100 | sp;
            cyc++;
            v = (t & ramMask) === ramMatch ? ram[t & 0x7f] : bus.read(t, cyc, last);
            last = v;
            pulled |= v << (8 * i);
          }
          if (op === Op.PLA) {
            a = fN = fZ = pulled;
            break;
          }
          if (op !== Op.RTS) {
            v = pulled & 0xff;
            fN = v & 0x80;
            fV = (v >> 6) & 1;
            fD = (v >> 3) & 1;
            fI = (v >> 2) & 1;
            fZ = v & 2 ? 0 : 1;
            fC = v & 1;
            if (op === Op.RTI) {
              pc = pulled >> 8;
              if (heat !== null && (bus.readWindow !== window || ++heat[pc]! >= hotAfter)) break instructions;
            }
            break;
          }
          // RTS: dummy read at the pulled address, then PC + 1.
          pc = pulled;
          cyc++;
          if ((pc & 0x1000) === 0 || (v = bus.readWindow[pc & 0xfff]) < 0)
            v = (pc & ramMask) === ramMatch ? ram[pc & 0x7f] : bus.read(pc | DUMMY_READ, cyc, last);
          last = v;
          pc = (pc + 1) & 0xffff;
          if (heat !== null && (bus.readWindow !== window || ++heat[pc]! >= hotAfter)) break instructions;
          break;
        }
        case Op.JMP:
          pc = ea;
          if (heat !== null && (bus.readWindow !== window || ++heat[pc]! >= hotAfter)) break instructions;
          break;
        case Op.JMP_IND: {
          // NMOS bug: the high byte comes from the same page ($xxFF -> $xx00).
          cyc++;
          if ((ea & 0x1000) === 0 || (v = bus.readWindow[ea & 0xfff]) < 0)
            v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea, cyc, last);
          last = v;
          const lo = v;
          ea = (ea & 0xff00) | ((ea + 1) & 0xff);
          cyc++;
          if ((ea & 0x1000) === 0 || (v = bus.readWindow[ea & 0xfff]) < 0)
            v = (ea & ramMask) === ramMatch ? ram[ea & 0x7f] : bus.read(ea, cyc, last);
          last = v;
          pc = lo | (v << 8);
          if (heat !== null && (bus.readWindow !== window || ++heat[pc]! >= hotAfter)) break instructions;
          break;
        }
      }

      if (op >= FIRST_WRITE && op < FIRST_OTHER) {
        cyc++;
        if ((ea & ramMask) === ramMatch) ram[ea & 0x7f] = r;
        else cyc = bus.write(ea, r, cyc, last);
        last = r | WRITE_FLAG;
      }
    }

  while (jammed && done < limit && !bus.stopRequested) {
    done++;
    cyc++;
    if ((v = bus.readWindow[0xfff]) < 0) v = bus.read(0xffff, cyc, last);
    last = v;
  }

  cpu.a = a;
  cpu.x = x;
  cpu.y = y;
  cpu.sp = sp;
  cpu.pc = pc;
  cpu.fN = fN;
  cpu.fZ = fZ;
  cpu.fC = fC;
  cpu.fV = fV;
  cpu.fD = fD;
  cpu.fI = fI;
  cpu.jammed = jammed;
  bus.cycles = cyc;
  bus.lastAccess = last;
  return done;
}
