/**
 * Once per process, before the first real machine runs: a throw-away machine runs a synthetic program that
 * executes every non-jamming opcode on RAM, TIA, RIOT and ROM addresses (with and without page crossings, binary
 * and decimal mode, branches taken and not) and writes pseudo-random values to the TIA registers during a picture.
 *
 * Why: V8 optimizes the interpreter and the TIA code for the paths seen so far. Each path a game reaches later
 * for the first time (an undocumented opcode, a page crossing, a collision read) throws the optimized code away
 * and recompiles it, 50-190 ms of CPU per game. Seeing every path once up front avoids most of that. The
 * throw-away machine shares no state with real ones (module-level tables are pure caches).
 *
 * Besides the opcodes, the program runs what nearly every game does and V8 would otherwise meet first in a game:
 * RIOT timer writes and timer wait loops, bank switches (it is an F8 cartridge of two identical banks, switched by
 * hot-spot reads and writes), every branch taken across a page, lines with no playfield and no objects, rewrites of
 * a register's value and a frame the TIA has to end itself.
 */
import { assemble } from './asm/index.js';
import { OPCODES } from './cpu/index.js';

/** Frames the synthetic program runs; with assembling it, about 0.15 s of CPU once per process. */
const WARM_UP_FRAMES = 20;

let warmedUp = false;

/**
 * Of those, the frames it also runs with the block compiler on (src/cpu/blocks.ts), each before the interpreter's:
 * the interpreter then also runs with arrival counts, a path V8 would otherwise meet only in the first real machine
 * and recompile the interpreter for. Before it: V8 starts optimizing the interpreter within the first frames, from
 * the feedback seen so far, and code optimized without these paths is thrown away when it meets them.
 */
const BLOCKS_WARM_UP_FRAMES = 6;

/** The warm-up program's cartridge type: 8K, two banks. */
export const WARM_UP_CART_TYPE = 'F8';

/**
 * Runs the warm-up program on machines built by `create` (with compiled blocks and on the interpreter alone,
 * alternating; the ROM is a WARM_UP_CART_TYPE image) the first time it is called, then never again.
 */
export function warmUpOnce(create: (rom: Uint8Array, compileBlocks: boolean) => { runFrame(): number }): void {
  if (warmedUp) return;
  warmedUp = true;
  const bank = warmUpRom();
  const rom = new Uint8Array(2 * bank.length);
  rom.set(bank, 0);
  rom.set(bank, bank.length);
  const compiled = create(rom, true);
  const machine = create(rom, false);
  for (let i = 0; i < WARM_UP_FRAMES; i++) {
    if (i < BLOCKS_WARM_UP_FRAMES) compiled.runFrame();
    machine.runFrame();
  }
}

// Zero-page layout: X = Y = $0D in the opcode block; its writes land in $80-$9F, pointers and data live above.
const INDEX = 0x0d;
/** Pointers ($A0-$A7) of the indirect modes: RAM, TIA (unused register), ROM (page crossing with Y), RIOT. */
const POINTERS = [0x0090, 0x0020, 0xf8f8, 0x0280];
const JMP_POINTER = 0xa8;
const BIT_OPERAND = 0xae;
const RANDOM = 0xac;

/** Operands per addressing mode: RAM, TIA ($2D-$3F are unused), ROM, RIOT; indexed ones also cross pages. */
const OPERANDS: Record<string, number[]> = {
  imm: [0x5a],
  zp: [0x90, 0x2d],
  zpx: [0x90, 0x20],
  zpy: [0x90, 0x20],
  abs: [0x0090, 0x002d, 0xf800, 0x0284],
  absx: [0x0090, 0x0020, 0xf8f8, 0x00f8, 0x0280],
  absy: [0x0090, 0x0020, 0xf8f8, 0x00f8, 0x0280],
  indx: POINTERS.map((_, i) => (0xa0 + 2 * i - INDEX) & 0xff),
  indy: POINTERS.map((_, i) => 0xa0 + 2 * i),
};

/** Opcodes the block runs in its own way (control flow, stack, SP) or not at all (KIL). */
const SPECIAL = new Set(['KIL', 'BRK', 'JSR', 'RTI', 'RTS', 'JMP', 'PHA', 'PLA', 'PHP', 'PLP', 'TXS', 'TAS', 'LAS']);

const CHANGES_INDEX = new Set(['LDX', 'LDY', 'TAX', 'TAY', 'INX', 'INY', 'DEX', 'DEY', 'TSX', 'LAX', 'LXA', 'SBX']);

function byteList(values: number[]): string {
  return `  .byte ${values.map((v) => `$${v.toString(16)}`).join(', ')}`;
}

/** Every opcode once per operand (X and Y restored after instructions that change them). */
function opcodeBlock(): string[] {
  const out: string[] = [];
  for (const info of OPCODES) {
    if (SPECIAL.has(info.mnemonic) || info.mode === 'rel') continue;
    const operands = info.mode === 'imp' || info.mode === 'acc' ? [-1] : OPERANDS[info.mode]!;
    for (const operand of operands) {
      if (operand < 0) out.push(byteList([info.opcode]));
      else if (info.bytes === 2) out.push(byteList([info.opcode, operand & 0xff]));
      else out.push(byteList([info.opcode, operand & 0xff, operand >> 8]));
      if (CHANGES_INDEX.has(info.mnemonic)) out.push(`  ldx #${INDEX}`, `  ldy #${INDEX}`);
    }
  }
  // Stack and SP instructions in balanced pairs; TAS and LAS change SP, which is restored from $F0.
  out.push(byteList([0x48, 0x68, 0x08, 0x28]));
  out.push(
    '  tsx',
    '  stx $f0',
    byteList([0x9b, 0x90, 0x00]),
    byteList([0xbb, 0x90, 0x00]),
    '  ldx $f0',
    byteList([0x9a]),
  );
  out.push(`  ldx #${INDEX}`, `  ldy #${INDEX}`);
  // Branches: each one not taken and taken (offset 0) under two flag settings, then each taken back across a page
  // boundary (the branches at the start of a page, their targets, jumps onward, at the end of the one before).
  const flagSettings = [
    ['lda #$00', 'clc', 'clv'],
    ['lda #$80', 'sec', `bit $${BIT_OPERAND.toString(16)}`],
  ];
  for (const flags of flagSettings) {
    out.push(...flags.map((f) => `  ${f}`));
    for (const op of [0x10, 0x30, 0x50, 0x70, 0x90, 0xb0, 0xd0, 0xf0]) out.push(byteList([op, 0]));
  }
  // Taken under the first setting (Z set, N, V and C clear) and under the second (Z clear, N, V and C set).
  const taken = [
    ['bpl', 'bvc', 'bcc', 'beq'],
    ['bmi', 'bvs', 'bcs', 'bne'],
  ].flatMap((branches, i) => branches.map((branch) => ({ branch, flags: flagSettings[i]! })));
  for (const { branch, flags } of taken)
    out.push(...flags.map((f) => `  ${f}`), `  jmp cross_${branch}`, `after_${branch}:`);
  out.push('  jmp crossed', `  .ds (${256 - 3 * taken.length} - (* & 255)) & 255, $ea`);
  for (const { branch } of taken) out.push(`target_${branch}:`, `  jmp after_${branch}`);
  for (const { branch } of taken) out.push(`cross_${branch}:`, `  ${branch} target_${branch}`);
  out.push('crossed:');
  // JSR/RTS, BRK/RTI, JMP abs and indirect.
  out.push(
    '  jsr return',
    '  brk',
    '  .byte 0',
    '  jmp jumped',
    'jumped:',
    `  jmp ($${JMP_POINTER.toString(16)})`,
    'jumped2:',
  );
  out.push('  rts');
  return out;
}

/** 60 lines of six pseudo-random TIA register writes ($04-$2C) and a collision read each. */
function pictureLoop(): string[] {
  const out = ['  ldx #60', '  ldy #4', 'line:'];
  for (let k = 0; k < 6; k++) {
    out.push(
      `  lda ${RANDOM}`,
      '  asl',
      `  bcc noflip${k}`,
      '  eor #$1d',
      `noflip${k}:`,
      `  sta ${RANDOM}`,
      '  sta $0000,y',
      '  iny',
      '  cpy #$2d',
      `  bne nowrap${k}`,
      '  ldy #4',
      `nowrap${k}:`,
    );
  }
  out.push('  bit $07', '  sta WSYNC', '  dex', '  bne line');
  return out;
}

/**
 * Lines with the playfield and every object off (the renderer's background-only path), then blanked by VBLANK.
 * PF0, GRP0 and GRP1 are written twice: a write of the value a register holds is a path of its own
 * (TiaGraphics.write).
 */
function blankLines(): string[] {
  // PF0-PF2, GRP0/1, ENAM0/1, ENABL, VDELP0/1, VDELBL, RESMP0/1.
  const registers = [0x0d, 0x0e, 0x0f, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x25, 0x26, 0x27, 0x28, 0x29, 0x0d, 0x1b, 0x1c];
  const lines = Array<string>(4).fill('  sta WSYNC');
  return [
    '  lda #0',
    ...registers.map((r) => `  sta $${r.toString(16)}`),
    ...lines,
    '  lda #2',
    '  sta VBLANK',
    ...lines,
  ];
}

/** The timer set through TIM64T and TIM8T and waited for with LDA/LDX/LDY INTIM and BNE, and LDA and BPL. */
function timerWaits(): string[] {
  const out: string[] = [];
  for (const [i, load] of ['lda', 'ldx', 'ldy'].entries()) {
    out.push('  lda #2', '  sta TIM64T', `wait${i}:`, `  ${load} INTIM`, `  bne wait${i}`);
  }
  out.push('  lda #20', '  sta TIM8T', 'waitExpiry:', '  lda INTIM', '  bpl waitExpiry');
  return out;
}

/** The joystick and console switch ports. */
function inputReads(): string[] {
  return ['  lda $0280', '  lda $0282'];
}

/** Hot-spot reads and writes that switch between the two identical banks (the code goes on at the next address). */
function bankSwitches(): string[] {
  return ['  bit $fff8', '  lda $fff9', '  sta $fff8', '  sta $fff9'];
}

/**
 * One 4K bank of the program: init, then per frame VSYNC, the picture loop, blank lines, timer waits, input reads,
 * bank switches, the opcode block in binary and decimal mode.
 */
function warmUpRom(): Uint8Array {
  const init = [
    '  sei',
    '  cld',
    '  ldx #$ff',
    '  txs',
    ...POINTERS.flatMap((p, i) => [
      `  lda #$${(p & 0xff).toString(16)}`,
      `  sta $${(0xa0 + 2 * i).toString(16)}`,
      `  lda #$${(p >> 8).toString(16)}`,
      `  sta $${(0xa1 + 2 * i).toString(16)}`,
    ]),
    '  lda #<jumped2',
    `  sta ${JMP_POINTER}`,
    '  lda #>jumped2',
    `  sta ${JMP_POINTER + 1}`,
    '  lda #$c0',
    `  sta ${BIT_OPERAND}`,
    '  lda #$5b',
    `  sta ${RANDOM}`,
    // 300 lines before the first VSYNC: the TIA ends that frame itself (the overrun path).
    '  ldx #150',
    'overrun:',
    '  sta WSYNC',
    '  sta WSYNC',
    '  dex',
    '  bne overrun',
  ];
  const frame = [
    'frame:',
    '  lda #2',
    '  sta VSYNC',
    '  sta WSYNC',
    '  sta WSYNC',
    '  sta WSYNC',
    '  lda #0',
    '  sta VSYNC',
    '  sta VBLANK',
    ...pictureLoop(),
    ...blankLines(),
    ...timerWaits(),
    ...inputReads(),
    ...bankSwitches(),
    `  ldx #${INDEX}`,
    `  ldy #${INDEX}`,
    '  cld',
    '  jsr block',
    '  sed',
    '  jsr block',
    '  cld',
    '  jmp frame',
  ];
  const source = [
    'VSYNC = $00',
    'VBLANK = $01',
    'WSYNC = $02',
    'INTIM = $0284',
    'TIM8T = $0295',
    'TIM64T = $0296',
    '  .org $f000',
    'reset:',
    ...init,
    ...frame,
    'block:',
    ...opcodeBlock(),
    'return:',
    '  rts',
    'interrupt:',
    '  rti',
    '  .org $fffa',
    '  .word interrupt, reset, interrupt',
  ].join('\n');
  const bytes = assemble(source, 0xf000).bytes;
  if (bytes.length !== 4096) throw new Error(`warm-up program is ${bytes.length} bytes, not 4096`);
  return bytes;
}
