// Documented instructions: results and flags.
import { describe, expect, it } from 'vitest';
import { Cpu6502 } from '../src/cpu/index.js';
import { asmMachine, stepChecked, RamBus } from './cpu-helpers.js';

const N = 0x80,
  V = 0x40,
  D = 0x08,
  I = 0x04,
  Z = 0x02,
  C = 0x01;
const FLAGS = N | V | D | I | Z | C;

/** Assemble `src` + `end:`, run until PC reaches `end`; returns cpu, bus and total cycles. */
function exec(src: string, init: (cpu: Cpu6502, bus: RamBus) => void = () => {}) {
  const { cpu, bus, labels } = asmMachine(`${src}\nend: nop`);
  cpu.p = 0;
  init(cpu, bus);
  let cycles = 0;
  for (let i = 0; cpu.pc !== labels.end; i++) {
    if (i > 10000) throw new Error('runaway');
    cycles += stepChecked(cpu, bus);
  }
  return { cpu, bus, cycles, flags: cpu.p & FLAGS };
}

describe('loads, stores, transfers', () => {
  it('LDA sets N and Z', () => {
    expect(exec('lda #$00').flags).toBe(Z);
    expect(exec('lda #$80').flags).toBe(N);
    expect(exec('lda #$7f').flags).toBe(0);
    expect(exec('ldx #$ff').cpu.x).toBe(0xff);
    expect(exec('ldy #$00').flags).toBe(Z);
  });

  it('all addressing modes of LDA read the right byte', () => {
    const r = exec(
      `ldx #2
       ldy #3
       lda $40
       sta $300
       lda $3e,x
       sta $301
       lda $1000
       sta $302
       lda $0ffe,x
       sta $303
       lda $0ffd,y
       sta $304
       lda ($50,x)
       sta $305
       lda ($50),y
       sta $306`,
      (_, b) => {
        b.mem.set([0x11], 0x40);
        b.mem.set([0x22, 0x33, 0x44, 0x55], 0x1000);
        b.mem.set([0x00, 0x10, 0x01, 0x10], 0x50); // $50 -> $1000, $52 -> $1001
      },
    );
    expect([...r.bus.mem.slice(0x300, 0x307)]).toEqual([0x11, 0x11, 0x22, 0x22, 0x22, 0x33, 0x55]);
  });

  it('stores do not touch flags; STX zp,Y / STY zp,X wrap in page zero', () => {
    const r = exec('ldx #$80\nldy #$90\nsta $10\nstx $f0,y\nsty $f0,x', (c) => {
      c.a = 0;
      c.p = 0;
    });
    expect(r.bus.mem[0x80]).toBe(0x80);
    expect(r.bus.mem[0x70]).toBe(0x90);
    expect(r.flags).toBe(N); // from LDY #$90
  });

  it('transfers: TAX TAY TXA TYA TSX set N/Z, TXS does not', () => {
    expect(exec('lda #$80\ntax').cpu.x).toBe(0x80);
    expect(exec('lda #$00\ntay').flags).toBe(Z);
    expect(exec('ldx #$00\nlda #1\ntxs').flags).toBe(0);
    expect(exec('ldx #$00\nlda #1\ntxs').cpu.sp).toBe(0);
    const r = exec('tsx');
    expect(r.cpu.x).toBe(0xfd);
    expect(r.flags).toBe(N);
    expect(exec('ldy #$81\ntya').cpu.a).toBe(0x81);
    expect(exec('ldx #$00\ntxa').flags).toBe(Z);
  });
});

describe('arithmetic and logic (binary)', () => {
  const adc = (a: number, b: number, c: number) => exec(`lda #${a}\n${c ? 'sec' : 'clc'}\nadc #${b}`);
  const sbc = (a: number, b: number, c: number) => exec(`lda #${a}\n${c ? 'sec' : 'clc'}\nsbc #${b}`);

  it('ADC: result, carry and overflow', () => {
    expect([adc(0x50, 0x10, 0).cpu.a, adc(0x50, 0x10, 0).flags]).toEqual([0x60, 0]);
    expect([adc(0x50, 0x50, 0).cpu.a, adc(0x50, 0x50, 0).flags]).toEqual([0xa0, N | V]);
    expect([adc(0xd0, 0x90, 0).cpu.a, adc(0xd0, 0x90, 0).flags]).toEqual([0x60, V | C]);
    expect([adc(0xff, 0x00, 1).cpu.a, adc(0xff, 0x00, 1).flags]).toEqual([0x00, Z | C]);
    expect(adc(0x01, 0x01, 1).cpu.a).toBe(0x03);
  });

  it('SBC: result, borrow and overflow', () => {
    expect([sbc(0x50, 0xf0, 1).cpu.a, sbc(0x50, 0xf0, 1).flags]).toEqual([0x60, 0]);
    expect([sbc(0x50, 0xb0, 1).cpu.a, sbc(0x50, 0xb0, 1).flags]).toEqual([0xa0, N | V]);
    expect([sbc(0xd0, 0x70, 1).cpu.a, sbc(0xd0, 0x70, 1).flags]).toEqual([0x60, V | C]);
    expect([sbc(0x05, 0x05, 1).cpu.a, sbc(0x05, 0x05, 1).flags]).toEqual([0x00, Z | C]);
    expect(sbc(0x05, 0x01, 0).cpu.a).toBe(0x03);
  });

  it('ADC/SBC binary: exhaustive against a formula', () => {
    const bus = new RamBus();
    bus.logging = false;
    const cpu = new Cpu6502(bus);
    for (const op of [0x69, 0xe9]) {
      for (let a = 0; a < 256; a++) {
        for (let b = 0; b < 256; b++) {
          for (let c = 0; c < 2; c++) {
            bus.mem.set([op, b], 0);
            cpu.pc = 0;
            cpu.a = a;
            cpu.p = c;
            cpu.step();
            const m = op === 0x69 ? b : b ^ 0xff;
            const s = a + m + c;
            const sv = (a ^ 0x80) - 0x80 + ((m ^ 0x80) - 0x80) + c;
            const want =
              (s & 0xff) |
              (s > 0xff ? C : 0) |
              ((s & 0xff) === 0 ? Z : 0) |
              (s & 0x80) |
              (sv < -128 || sv > 127 ? V : 0);
            if ((cpu.a | (cpu.p & (N | V | Z | C))) !== want) throw new Error(`op ${op} ${a} ${b} ${c}`);
          }
        }
      }
    }
  });

  it('AND ORA EOR', () => {
    expect(exec('lda #$f0\nand #$3c').cpu.a).toBe(0x30);
    expect(exec('lda #$f0\nand #$0f').flags).toBe(Z);
    expect(exec('lda #$01\nora #$80').flags).toBe(N);
    expect(exec('lda #$ff\neor #$ff').flags).toBe(Z);
    expect(exec('lda #$ff\neor #$0f').cpu.a).toBe(0xf0);
  });

  it('CMP CPX CPY', () => {
    expect(exec('lda #$40\ncmp #$40').flags).toBe(Z | C);
    expect(exec('lda #$40\ncmp #$41').flags).toBe(N);
    expect(exec('lda #$40\ncmp #$30').flags).toBe(C);
    expect(exec('lda #$00\ncmp #$ff').flags).toBe(0 | (C * 0) | 0);
    expect(exec('ldx #$80\ncpx #$00').flags).toBe(N | C);
    expect(exec('ldy #$10\ncpy #$10').flags).toBe(Z | C);
  });

  it('BIT: N and V from memory, Z from A & M', () => {
    expect(exec('lda #$01\nbit $10', (_, b) => (b.mem[0x10] = 0xc0)).flags).toBe(N | V | Z);
    expect(exec('lda #$40\nbit $1234', (_, b) => (b.mem[0x1234] = 0x40)).flags).toBe(V);
  });

  it('INC DEC INX INY DEX DEY wrap and set N/Z', () => {
    const r = exec('inc $10\ndec $11\ninc $1234', (_, b) => {
      b.mem[0x10] = 0xff;
      b.mem[0x11] = 0x00;
      b.mem[0x1234] = 0x7f;
    });
    expect([r.bus.mem[0x10], r.bus.mem[0x11], r.bus.mem[0x1234]]).toEqual([0x00, 0xff, 0x80]);
    expect(r.flags).toBe(N);
    expect(exec('ldx #$ff\ninx').flags).toBe(Z);
    expect(exec('ldy #$00\ndey').cpu.y).toBe(0xff);
    expect(exec('ldx #$01\ndex').flags).toBe(Z);
    expect(exec('ldy #$7f\niny').flags).toBe(N);
  });

  it('shifts and rotates, accumulator and memory', () => {
    expect([exec('lda #$81\nasl a').cpu.a, exec('lda #$81\nasl a').flags]).toEqual([0x02, C]);
    expect([exec('lda #$01\nlsr').cpu.a, exec('lda #$01\nlsr').flags]).toEqual([0x00, Z | C]);
    expect([exec('sec\nlda #$80\nrol a').cpu.a, exec('sec\nlda #$80\nrol a').flags]).toEqual([0x01, C]);
    expect([exec('sec\nlda #$01\nror a').cpu.a, exec('sec\nlda #$01\nror a').flags]).toEqual([0x80, N | C]);
    const r = exec('clc\nasl $10\nlsr $11\nrol $12\nror $13', (_, b) => b.mem.set([0x40, 0x02, 0x80, 0x01], 0x10));
    expect([...r.bus.mem.slice(0x10, 0x14)]).toEqual([0x80, 0x01, 0x00, 0x80]);
  });
});

describe('flags, stack, jumps', () => {
  it('SEC CLC SED CLD SEI CLI CLV', () => {
    expect(exec('sec\nsed\nsei', (c) => (c.p = 0)).flags).toBe(C | D | I);
    expect(exec('clc\ncld\ncli\nclv', (c) => (c.p = 0xff)).flags).toBe(N | Z);
  });

  it('PHP pushes B and bit 5 set; PLP ignores them; bits 4/5 always read 1', () => {
    const r = exec('php\npla', (c) => (c.p = 0xc3));
    expect(r.cpu.a).toBe(0xf3);
    const r2 = exec('lda #$cf\npha\nplp');
    expect(r2.cpu.p).toBe(0xff);
    expect(exec('lda #$00\npha\nplp').cpu.p).toBe(0x30);
  });

  it('PHA/PLA round trip, PLA sets N/Z, stack wraps', () => {
    const r = exec('lda #$00\npha\nlda #$44\npla');
    expect([r.cpu.a, r.flags & Z]).toEqual([0x00, Z]);
    const w = exec('ldx #$00\ntxs\nlda #$99\npha', () => {});
    expect(w.bus.mem[0x100]).toBe(0x99);
    expect(w.cpu.sp).toBe(0xff);
  });

  it('JMP abs and the NMOS JMP ($xxFF) bug', () => {
    const r = exec('jmp ($12ff)\n.org $300\nt1: jmp end\n.org $400\nt2: brk', (_, b) => {
      b.mem[0x12ff] = 0x00;
      b.mem[0x1300] = 0x04; // not used
      b.mem[0x1200] = 0x03; // used by the NMOS bug
    });
    expect(r.cycles).toBe(5 + 3);
    const ok = exec('jmp ($1234)\n.org $300\njmp end', (_, b) => b.mem.set([0x00, 0x03], 0x1234));
    expect(ok.cycles).toBe(8);
  });

  it('JSR/RTS nest and return to the byte after the JSR', () => {
    const r = exec('ldx #0\njsr a1\ninx\njmp end\na1: inx\njsr a2\nrts\na2: inx\nrts');
    expect(r.cpu.x).toBe(3);
    expect(r.cpu.sp).toBe(0xfd);
  });

  it('branches: each condition', () => {
    const tk = (setup: string, br: string) => exec(`${setup}\n${br} yes\nlda #0\njmp end\nyes: lda #1`).cpu.a;
    expect(tk('lda #1', 'bne')).toBe(1);
    expect(tk('lda #0', 'bne')).toBe(0);
    expect(tk('lda #0', 'beq')).toBe(1);
    expect(tk('lda #$80', 'bmi')).toBe(1);
    expect(tk('lda #$80', 'bpl')).toBe(0);
    expect(tk('sec', 'bcs')).toBe(1);
    expect(tk('sec', 'bcc')).toBe(0);
    expect(tk('clv', 'bvc')).toBe(1);
    expect(tk('lda #$40\nadc #$40', 'bvs')).toBe(1);
  });

  it('BRK pushes PC+2 and P with B, sets I; RTI restores', () => {
    const r = exec('cli\nsec\nbrk\n.byte 0\nlda #7\njmp end\nirq: inc $20\nrti', (c, b) => {
      b.mem[0xfffe] = 0x09; // irq
      b.mem[0xffff] = 0x02;
    });
    expect(r.bus.mem[0x20]).toBe(1);
    expect(r.cpu.a).toBe(7);
    expect(r.flags & (I | C)).toBe(C);
    expect(r.bus.mem[0x1fb] & 0x30).toBe(0x30);
  });
});

describe('state', () => {
  it('saveState/loadState round trip', () => {
    const { cpu } = exec('lda #$85\nldx #3\nldy #4\nsec\nsed');
    const s = cpu.saveState();
    const other = new Cpu6502(new RamBus());
    other.loadState(s);
    expect([other.a, other.x, other.y, other.sp, other.pc, other.p, other.jammed]).toEqual([
      cpu.a,
      cpu.x,
      cpu.y,
      cpu.sp,
      cpu.pc,
      cpu.p,
      cpu.jammed,
    ]);
    expect(() => other.loadState(new Uint8Array(3))).toThrow();
  });
});
