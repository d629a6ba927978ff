// Undocumented (NMOS) opcodes: results, flags, memory side effects. Cycle counts are covered in cpu-opcodes.
import { describe, expect, it } from 'vitest';
import { Cpu6502, UNSTABLE_MAGIC } from '../src/cpu/index.js';
import { asmMachine, stepChecked, RamBus } from './cpu-helpers.js';

const N = 0x80,
  V = 0x40,
  D = 0x08,
  Z = 0x02,
  C = 0x01;
const FLAGS = N | V | D | Z | C;

function exec(src: string, init: (cpu: Cpu6502, bus: RamBus) => void = () => {}) {
  const { cpu, bus, labels } = asmMachine(`${src}\nend: nop`);
  cpu.p = 0;
  init(cpu, bus);
  for (let i = 0; cpu.pc !== labels.end; i++) {
    if (i > 1000) throw new Error('runaway');
    stepChecked(cpu, bus);
  }
  return { cpu, bus, flags: cpu.p & FLAGS, m: bus.mem };
}

describe('undocumented combined RMW opcodes', () => {
  it('SLO: ASL memory, ORA into A', () => {
    const r = exec('lda #$01\nslo $10', (_, b) => (b.mem[0x10] = 0x81));
    expect([r.m[0x10], r.cpu.a, r.flags]).toEqual([0x02, 0x03, C]);
  });
  it('RLA: ROL memory, AND into A', () => {
    const r = exec('sec\nlda #$ff\nrla $1234', (_, b) => (b.mem[0x1234] = 0xc0));
    expect([r.m[0x1234], r.cpu.a, r.flags]).toEqual([0x81, 0x81, N | C]);
  });
  it('SRE: LSR memory, EOR into A', () => {
    const r = exec('lda #$ff\nldx #1\nsre $0f,x', (_, b) => (b.mem[0x10] = 0x03));
    expect([r.m[0x10], r.cpu.a, r.flags]).toEqual([0x01, 0xfe, N | C]);
  });
  it('RRA: ROR memory, ADC into A (binary)', () => {
    const r = exec('clc\nlda #$10\nrra $10', (_, b) => (b.mem[0x10] = 0x21));
    // ROR $21 -> $10, C=1; A = $10 + $10 + 1
    expect([r.m[0x10], r.cpu.a, r.flags]).toEqual([0x10, 0x21, 0]);
  });
  it('DCP: DEC memory, CMP with A', () => {
    const r = exec('lda #$40\nldy #2\ndcp ($20),y', (_, b) => {
      b.mem.set([0x00, 0x12], 0x20);
      b.mem[0x1202] = 0x41;
    });
    expect([r.m[0x1202], r.flags]).toEqual([0x40, Z | C]);
  });
  it('ISB: INC memory, SBC from A (binary)', () => {
    const r = exec('sec\nlda #$10\nisb $1000,x', (c, b) => {
      c.x = 0;
      b.mem[0x1000] = 0x0f;
    });
    expect([r.m[0x1000], r.cpu.a, r.flags]).toEqual([0x10, 0x00, Z | C]);
  });
  it('ISC alias and (zp,X)', () => {
    const r = exec('sec\nlda #$05\nldx #4\nisc ($10,x)', (_, b) => {
      b.mem.set([0x00, 0x13], 0x14);
      b.mem[0x1300] = 0x01;
    });
    expect([r.m[0x1300], r.cpu.a, r.flags]).toEqual([0x02, 0x03, C]);
  });
});

describe('undocumented loads and stores', () => {
  it('LAX loads A and X', () => {
    const r = exec('lax $10', (_, b) => (b.mem[0x10] = 0x80));
    expect([r.cpu.a, r.cpu.x, r.flags]).toEqual([0x80, 0x80, N]);
    const r2 = exec('ldy #1\nlax ($10),y', (_, b) => {
      b.mem.set([0xff, 0x12], 0x10);
      b.mem[0x1300] = 0x00;
    });
    expect([r2.cpu.a, r2.cpu.x, r2.flags]).toEqual([0, 0, Z]);
    const r3 = exec('ldy #2\nlax $0e,y', (_, b) => (b.mem[0x10] = 0x42));
    expect([r3.cpu.a, r3.cpu.x]).toEqual([0x42, 0x42]);
  });
  it('SAX stores A & X, flags untouched', () => {
    const r = exec('lda #$f0\nldx #$3c\nsax $10\nsax $1234\nldy #1\nsax $0f,y');
    expect([r.m[0x10], r.m[0x1234], r.flags]).toEqual([0x30, 0x30, 0]);
  });
  it('LAS: A = X = SP = SP & M', () => {
    const r = exec('ldy #0\nlas $1000,y', (_, b) => (b.mem[0x1000] = 0x8f));
    expect([r.cpu.a, r.cpu.x, r.cpu.sp, r.flags]).toEqual([0x8d, 0x8d, 0x8d, N]);
  });
  it('SHA/SHX/SHY/TAS store reg & (high byte of the address + 1) (Stella convention)', () => {
    let r = exec('lda #$ff\nldx #$ff\nldy #$01\nsha $11ff,y');
    expect(r.m[0x1200]).toBe(0x13);
    r = exec('lda #$f3\nldx #$7f\nldy #$01\nsha ($10),y', (_, b) => b.mem.set([0x00, 0x12], 0x10));
    expect(r.m[0x1201]).toBe(0x73 & 0x13);
    r = exec('ldx #$ff\nldy #$00\nshx $2000,y');
    expect(r.m[0x2000]).toBe(0x21);
    r = exec('ldy #$ff\nldx #$00\nshy $2000,x');
    expect(r.m[0x2000]).toBe(0x21);
    r = exec('lda #$f7\nldx #$7e\nldy #0\ntas $0400,y');
    expect([r.cpu.sp, r.m[0x0400]]).toEqual([0x76, 0x76 & 0x05]);
  });
});

describe('undocumented immediate opcodes', () => {
  it('ANC: AND, C = N (both $0B and $2B)', () => {
    expect(exec('lda #$ff\nanc #$80').flags).toBe(N | C);
    expect(exec('sec\nlda #$ff\n.byte $2b, $7f').flags).toBe(0);
  });
  it('ALR: AND then LSR', () => {
    const r = exec('lda #$ff\nalr #$03');
    expect([r.cpu.a, r.flags]).toEqual([0x01, C]);
    expect(exec('lda #$ff\nasr #$01').flags).toBe(Z | C);
  });
  it('SBX: X = (A & X) - imm, C like CMP, V untouched, no decimal', () => {
    const r = exec('sed\nlda #$f0\nldx #$3f\nsbx #$10');
    expect([r.cpu.x, r.flags]).toEqual([0x20, D | C]);
    const r2 = exec('lda #$ff\nldx #$01\naxs #$02', (c) => (c.p = V));
    expect([r2.cpu.x, r2.flags]).toEqual([0xff, N | V]);
  });
  it('SBC $EB behaves like SBC #imm', () => {
    const r = exec('sec\nlda #$10\n.byte $eb, $01');
    expect([r.cpu.a, r.flags]).toEqual([0x0f, C]);
  });
  it(`ANE/XAA: A = (A | $${UNSTABLE_MAGIC.toString(16)}) & X & imm`, () => {
    const r = exec('lda #$00\nldx #$ff\nane #$ff');
    expect(r.cpu.a).toBe(0xee);
    expect(exec('lda #$11\nldx #$0f\nxaa #$ff').cpu.a).toBe((0x11 | 0xee) & 0x0f);
  });
  it(`LXA: A = X = (A | $EE) & imm`, () => {
    const r = exec('lda #$01\nlxa #$0f');
    expect([r.cpu.a, r.cpu.x]).toEqual([0x0f, 0x0f]);
    expect(exec('lda #$00\nlxa #$11').cpu.x).toBe(0x00);
  });

  it('ARR binary: exhaustive against the documented flag rules', () => {
    const bus = new RamBus();
    bus.logging = false;
    const cpu = new Cpu6502(bus);
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        for (let c = 0; c < 2; c++) {
          bus.mem.set([0x6b, b], 0);
          cpu.pc = 0;
          cpu.a = a;
          cpu.p = c;
          cpu.step();
          const r = ((a & b) >> 1) | (c << 7);
          const f = (r & N) | (r === 0 ? Z : 0) | ((r >> 6) & 1) | (((r >> 6) ^ (r >> 5)) & 1 ? V : 0);
          if (cpu.a !== r || (cpu.p & FLAGS) !== f) throw new Error(`ARR ${a} ${b} ${c}`);
        }
      }
    }
  });

  it('ARR decimal: NMOS BCD fix-up (spot values)', () => {
    const arr = (a: number, imm: number, c: number) => {
      const r = exec(`lda #${a}\n${c ? 'sec' : 'clc'}\nsed\narr #${imm}`);
      return [r.cpu.a, r.flags & ~D];
    };
    // t=$FF: ror -> $7F; low nibble fix-up -> $75; high fix-up -> +$60 and C=1
    expect(arr(0xff, 0xff, 0)).toEqual([(0x75 + 0x60) & 0xff, C]); // V = (t ^ r) & $40 = 0
    // t=$22: ror -> $11, no fix-ups, C=0, V=(t^r)&$40 = 0
    expect(arr(0x22, 0xff, 0)).toEqual([0x11, 0]);
    // with carry in: N = old C, t=$00 -> $80, Z clear
    expect(arr(0x00, 0xff, 1)).toEqual([0x80, N]);
    // t=$00, C=0: result 0 -> Z
    expect(arr(0x00, 0x00, 0)).toEqual([0x00, Z]);
  });
});

describe('undocumented NOPs and KIL', () => {
  it('NOP variants change nothing but PC (and read their operand)', () => {
    const src = `
      nop
      .byte $1a, $3a, $5a, $7a, $da, $fa
      nop #$12
      .byte $82, 0, $89, 0, $c2, 0, $e2, 0
      nop $12
      .byte $44, $12, $64, $12
      nop $12,x
      .byte $34, 0, $54, 0, $74, 0, $d4, 0, $f4, 0
      nop $1234
      nop $1234,x
      .byte $3c, 0, 0, $5c, 0, 0, $7c, 0, 0, $dc, 0, 0, $fc, 0, 0`;
    const r = exec(src, (c) => {
      c.a = 0x11;
      c.x = 0x22;
      c.y = 0x33;
      c.p = 0xc3;
    });
    expect([r.cpu.a, r.cpu.x, r.cpu.y, r.cpu.sp, r.cpu.p]).toEqual([0x11, 0x22, 0x33, 0xfd, 0xf3]);
  });

  it('every KIL opcode jams', () => {
    for (const op of [0x02, 0x12, 0x22, 0x32, 0x42, 0x52, 0x62, 0x72, 0x92, 0xb2, 0xd2, 0xf2]) {
      const bus = new RamBus();
      bus.mem[0x200] = op;
      const cpu = new Cpu6502(bus);
      cpu.pc = 0x200;
      expect(stepChecked(cpu, bus)).toBe(2);
      expect(cpu.jammed).toBe(true);
      const pc = cpu.pc;
      for (let i = 0; i < 3; i++) expect(stepChecked(cpu, bus)).toBe(1);
      expect(cpu.pc).toBe(pc);
    }
  });
});
