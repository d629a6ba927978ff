// The tiny assembler used by the CPU and machine tests.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { OPCODES, type Mode } from '../src/cpu/index.js';

const bytes = (src: string, org = 0x1000) => [...assemble(src, org).bytes];

const OPERAND: Record<Mode, string> = {
  imp: '',
  acc: 'A',
  imm: '#$12',
  zp: '$12',
  zpx: '$12,X',
  zpy: '$12,Y',
  abs: '$1234',
  absx: '$1234,x',
  absy: '$1234,y',
  ind: '($1234)',
  indx: '($12,x)',
  indy: '($12),y',
  rel: '*+4',
};

describe('assembler', () => {
  it('encodes every (mnemonic, mode) to its opcode, documented opcode preferred', () => {
    const seen = new Set<string>();
    const order = [...OPCODES].sort((a, b) => Number(a.illegal) - Number(b.illegal) || a.opcode - b.opcode);
    for (const o of order) {
      const key = `${o.mnemonic} ${o.mode}`;
      if (seen.has(key)) continue; // duplicates (NOP variants, SBC $EB, ANC $2B, KIL) assemble to the first
      seen.add(key);
      const out = bytes(`${o.mnemonic.toLowerCase()} ${OPERAND[o.mode]}`);
      expect(out[0], key).toBe(o.opcode);
      expect(out.length, key).toBe(o.bytes);
    }
    expect(bytes('sbc #1')).toEqual([0xe9, 1]);
    expect(bytes('nop')).toEqual([0xea]);
    expect(bytes('kil')).toEqual([0x02]);
  });

  it('operands: little endian words, relative branches both ways', () => {
    expect(bytes('lda $1234,x')).toEqual([0xbd, 0x34, 0x12]);
    expect(bytes('loop: dex\nbne loop')).toEqual([0xca, 0xd0, 0xfd]);
    expect(bytes('beq fwd\nnop\nfwd: rts')).toEqual([0xf0, 0x01, 0xea, 0x60]);
    expect(bytes('jmp ($12ff)')).toEqual([0x6c, 0xff, 0x12]);
  });

  it('zero page when known and small; absolute for forward refs; .w / .z force', () => {
    expect(bytes('VAR = $80\nlda VAR')).toEqual([0xa5, 0x80]);
    expect(bytes('lda VAR\nVAR = $80')).toEqual([0xad, 0x80, 0x00]);
    expect(bytes('sta.w $02')).toEqual([0x8d, 0x02, 0x00]);
    expect(bytes('lda.z $0080,x')).toEqual([0xb5, 0x80]);
    expect(bytes('stx $10,y')).toEqual([0x96, 0x10]);
    expect(bytes('lda $10,y')).toEqual([0xb9, 0x10, 0x00]); // no LDA zp,Y
    expect(bytes('asl\nasl a\nrol A')).toEqual([0x0a, 0x0a, 0x2a]);
  });

  it('labels, DASM-style column-0 labels, constants, expressions', () => {
    const r = assemble(
      `WSYNC = $02
COLUBK equ $09
start
        lda #<table
        ldx #>table
        sta WSYNC
        lda #COLUBK*2+1
        lda #'A'
        lda #%1010
        lda #(3+4)*2
table:  .byte 1, 2, "hi", $ff
        .word start, table+1`,
      0xf000,
    );
    expect(r.labels).toMatchObject({ WSYNC: 2, COLUBK: 9, start: 0xf000 });
    const t = r.labels.table!;
    expect([...r.bytes.slice(0, 4)]).toEqual([0xa9, t & 0xff, 0xa2, t >> 8]);
    expect([...r.bytes.slice(4, 16)]).toEqual([0x85, 2, 0xa9, 19, 0xa9, 65, 0xa9, 10, 0xa9, 14, 1, 2].slice(0, 12));
    expect([...r.bytes.slice(t - 0xf000)]).toEqual([1, 2, 0x68, 0x69, 0xff, 0x00, 0xf0, (t + 1) & 0xff, t >> 8]);
  });

  it('.org with gaps, * = , .ds, .align, reset vector at the end of a 4K ROM', () => {
    const r = assemble(`
      .org $f000
reset: jmp reset
      .ds 3, $ea
      .align 16
aligned: rts
      * = $fffc
      .word reset, reset`);
    expect(r.bytes.length).toBe(4096);
    expect(r.labels.aligned).toBe(0xf010);
    expect([...r.bytes.slice(0, 6)]).toEqual([0x4c, 0x00, 0xf0, 0xea, 0xea, 0xea]);
    expect([...r.bytes.slice(0xffc)]).toEqual([0x00, 0xf0, 0x00, 0xf0]);
  });

  it('`*` is the current address; comments are ignored', () => {
    expect(bytes('jmp * ; spin\nbne *-2 ; back')).toEqual([0x4c, 0x00, 0x10, 0xd0, 0xfc]);
  });

  it('errors: unknown mnemonic, undefined symbol, branch range, bad mode, duplicate label', () => {
    expect(() => assemble('foo #1')).toThrow(/unknown mnemonic|line 1/);
    expect(() => assemble('lda nowhere')).toThrow(/undefined symbol/);
    expect(() => assemble('bne far\n.ds 200\nfar: rts')).toThrow(/out of range/);
    expect(() => assemble('jsr #1')).toThrow(/not available/);
    expect(() => assemble('a: nop\na: nop')).toThrow(/defined twice/);
  });
});
