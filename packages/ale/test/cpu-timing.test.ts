// Exact bus access sequences (address, direction, value) of representative instructions.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { PlainCycleBus } from '../src/cpu/bus.js';
import { Cpu6502, DUMMY_READ } from '../src/cpu/index.js';
import { asmMachine, stepChecked, RamBus, type Access } from './cpu-helpers.js';

function run(src: string, init: (cpu: Cpu6502, bus: RamBus) => void = () => {}, org = 0x0200): Access[] {
  const { cpu, bus } = asmMachine(src, org);
  init(cpu, bus);
  bus.clear();
  stepChecked(cpu, bus);
  return bus.log.map(([k, a]) => [k, a] as unknown as Access);
}

const R = (a: number) => ['r', a];
const W = (a: number) => ['w', a];

describe('bus access order', () => {
  it('implied: opcode, dummy read of the next byte', () => {
    expect(run('inx')).toEqual([R(0x200), R(0x201)]);
    expect(run('asl a')).toEqual([R(0x200), R(0x201)]);
  });

  it('LDA abs,X without and with page crossing (dummy read from the unfixed address)', () => {
    expect(run('lda $1234,x', (c) => (c.x = 0x10))).toEqual([R(0x200), R(0x201), R(0x202), R(0x1244)]);
    expect(run('lda $12f0,x', (c) => (c.x = 0x20))).toEqual([R(0x200), R(0x201), R(0x202), R(0x1210), R(0x1310)]);
  });

  it('STA abs,Y always reads the unfixed address first', () => {
    expect(run('sta $1234,y', (c) => (c.y = 0x01))).toEqual([R(0x200), R(0x201), R(0x202), R(0x1235), W(0x1235)]);
  });

  it('LDA zp,X reads the base address, wraps in page zero', () => {
    expect(run('lda $f0,x', (c) => (c.x = 0x20))).toEqual([R(0x200), R(0x201), R(0xf0), R(0x10)]);
  });

  it('LDA (zp),Y with page crossing; pointer wraps at $FF', () => {
    const seq = run('lda ($ff),y', (c, b) => {
      c.y = 0x80;
      b.mem[0xff] = 0x90;
      b.mem[0x00] = 0x12;
    });
    expect(seq).toEqual([R(0x200), R(0x201), R(0xff), R(0x00), R(0x1210), R(0x1310)]);
  });

  it('LDA (zp,X): dummy read of the base pointer, then the pointer', () => {
    const seq = run('lda ($20,x)', (c, b) => {
      c.x = 4;
      b.mem[0x24] = 0x34;
      b.mem[0x25] = 0x12;
    });
    expect(seq).toEqual([R(0x200), R(0x201), R(0x20), R(0x24), R(0x25), R(0x1234)]);
  });

  it('INC abs: read, dummy write of the old value, write of the new one', () => {
    const { cpu, bus } = asmMachine('inc $1234');
    bus.mem[0x1234] = 0x41;
    bus.clear();
    expect(stepChecked(cpu, bus)).toBe(6);
    expect(bus.log).toEqual([
      ['r', 0x200, 0xee],
      ['r', 0x201, 0x34],
      ['r', 0x202, 0x12],
      ['r', 0x1234, 0x41],
      ['w', 0x1234, 0x41],
      ['w', 0x1234, 0x42],
    ]);
  });

  it('ASL abs,X: dummy read of the unfixed address, then RMW', () => {
    expect(run('asl $12f0,x', (c) => (c.x = 0x20))).toEqual([
      R(0x200),
      R(0x201),
      R(0x202),
      R(0x1210),
      R(0x1310),
      W(0x1310),
      W(0x1310),
    ]);
  });

  it('JSR and RTS', () => {
    const { cpu, bus } = asmMachine(`
      jsr sub
      nop
    sub: rts`);
    bus.clear();
    expect(stepChecked(cpu, bus)).toBe(6);
    expect(bus.log).toEqual([
      ['r', 0x200, 0x20],
      ['r', 0x201, 0x04],
      ['r', 0x1fd, 0],
      ['w', 0x1fd, 0x02],
      ['w', 0x1fc, 0x02],
      ['r', 0x202, 0x02],
    ]);
    expect(cpu.pc).toBe(0x204);
    expect(cpu.sp).toBe(0xfb);
    bus.clear();
    expect(stepChecked(cpu, bus)).toBe(6);
    expect(bus.log).toEqual([
      ['r', 0x204, 0x60],
      ['r', 0x205, 0],
      ['r', 0x1fb, 0],
      ['r', 0x1fc, 0x02],
      ['r', 0x1fd, 0x02],
      ['r', 0x202, 0x02],
    ]);
    expect(cpu.pc).toBe(0x203);
    expect(cpu.sp).toBe(0xfd);
  });

  it('BRK and RTI', () => {
    const { cpu, bus } = asmMachine(`
      brk
      .byte $77
      nop
    handler: rti`);
    bus.mem[0xfffe] = 0x03;
    bus.mem[0xffff] = 0x02;
    cpu.p = 0xc3; // N V Z C
    bus.clear();
    expect(stepChecked(cpu, bus)).toBe(7);
    expect(bus.log).toEqual([
      ['r', 0x200, 0x00],
      ['r', 0x201, 0x77],
      ['w', 0x1fd, 0x02],
      ['w', 0x1fc, 0x02],
      ['w', 0x1fb, 0xf3],
      ['r', 0xfffe, 0x03],
      ['r', 0xffff, 0x02],
    ]);
    expect(cpu.pc).toBe(0x203);
    expect(cpu.p & 0x04).toBe(0x04);
    bus.clear();
    expect(stepChecked(cpu, bus)).toBe(6);
    expect(bus.log).toEqual([
      ['r', 0x203, 0x40],
      ['r', 0x204, 0],
      ['r', 0x1fa, 0],
      ['r', 0x1fb, 0xf3],
      ['r', 0x1fc, 0x02],
      ['r', 0x1fd, 0x02],
    ]);
    expect(cpu.pc).toBe(0x202); // BRK skips its signature byte
    expect(cpu.p).toBe(0xf3);
  });

  it('PHA / PLA / PHP / PLP', () => {
    expect(run('pha')).toEqual([R(0x200), R(0x201), W(0x1fd)]);
    expect(run('php')).toEqual([R(0x200), R(0x201), W(0x1fd)]);
    expect(run('pla')).toEqual([R(0x200), R(0x201), R(0x1fd), R(0x1fe)]);
    expect(run('plp')).toEqual([R(0x200), R(0x201), R(0x1fd), R(0x1fe)]);
  });

  it('taken branch: dummy read of the next opcode, and on page crossing of the unfixed target', () => {
    expect(run('bne *+$12', (c) => (c.p = 0))).toEqual([R(0x200), R(0x201), R(0x202)]);
    expect(run('beq *+$12', (c) => (c.p = 0))).toEqual([R(0x200), R(0x201)]);
    // at $02F0: next = $02F2, target $0304
    expect(run('bne *+$14', (c) => (c.p = 0), 0x2f0)).toEqual([R(0x2f0), R(0x2f1), R(0x2f2), R(0x204)]);
    // backwards across a page: at $0300, next $0302, target $02F2
    expect(run('bne *-$0e', (c) => (c.p = 0), 0x300)).toEqual([R(0x300), R(0x301), R(0x302), R(0x3f2)]);
  });

  it('JMP (ind) reads the pointer, NOP abs,X reads its operand', () => {
    expect(run('jmp ($1234)')).toEqual([R(0x200), R(0x201), R(0x202), R(0x1234), R(0x1235)]);
    expect(run('nop $12f0,x', (c) => (c.x = 0x20))).toEqual([R(0x200), R(0x201), R(0x202), R(0x1210), R(0x1310)]);
    expect(run('nop $44')).toEqual([R(0x200), R(0x201), R(0x44)]);
    expect(run('nop #$44')).toEqual([R(0x200), R(0x201)]);
  });

  it('DCP (zp),Y: 8 cycles with the dummy read and the RMW double write', () => {
    const seq = run('dcp ($10),y', (c, b) => {
      c.y = 1;
      b.mem[0x10] = 0x00;
      b.mem[0x11] = 0x12;
    });
    expect(seq).toEqual([R(0x200), R(0x201), R(0x10), R(0x11), R(0x1201), R(0x1201), W(0x1201), W(0x1201)]);
  });

  it('reset: 7 reads, SP = $FD, I set, vector from $FFFC', () => {
    const bus = new RamBus();
    bus.mem[0xfffc] = 0x00;
    bus.mem[0xfffd] = 0xf0;
    const cpu = new Cpu6502(bus);
    cpu.pc = 0x1234;
    cpu.p = 0x08;
    cpu.reset();
    expect(bus.log.map(([k, a]) => [k, a])).toEqual([
      R(0x1234),
      R(0x1234),
      R(0x100),
      R(0x1ff),
      R(0x1fe),
      R(0xfffc),
      R(0xfffd),
    ]);
    expect(cpu.pc).toBe(0xf000);
    expect(cpu.sp).toBe(0xfd);
    expect(cpu.p).toBe(0x34);
  });
});

/** A PlainCycleBus over 64 KB of RAM that logs the raw addresses the CPU passes, flags included. */
class FlagLogBus extends PlainCycleBus {
  readonly mem: Uint8Array;
  readonly reads: number[] = [];

  constructor(ram = new RamBus()) {
    super(ram);
    this.mem = ram.mem;
  }

  override read(address: number): number {
    this.reads.push(address);
    return super.read(address);
  }
}

describe('dummy reads are flagged on a CycleBus', () => {
  const D = (a: number) => a | DUMMY_READ;
  function reads(src: string, init: (cpu: Cpu6502, bus: FlagLogBus) => void = () => {}, org = 0x0200): number[] {
    const bus = new FlagLogBus();
    bus.mem.set(assemble(src, org).bytes, org);
    const cpu = new Cpu6502(bus);
    cpu.pc = org;
    cpu.sp = 0xfd;
    init(cpu, bus);
    cpu.step();
    return bus.reads;
  }

  it('implied ops, pushes and pulls, taken branches, index page crossings, zp,X bases, JSR and RTS', () => {
    expect(reads('inx')).toEqual([0x200, D(0x201)]);
    expect(reads('php')).toEqual([0x200, D(0x201)]);
    expect(reads('pla')).toEqual([0x200, D(0x201), D(0x1fd), 0x1fe]);
    expect(reads('bne *-$0e', (c) => (c.p = 0), 0x300)).toEqual([0x300, 0x301, D(0x302), D(0x3f2)]);
    expect(reads('lda $12f0,x', (c) => (c.x = 0x20))).toEqual([0x200, 0x201, 0x202, D(0x1210), 0x1310]);
    expect(reads('lda $f0,x', (c) => (c.x = 0x20))).toEqual([0x200, 0x201, D(0xf0), 0x10]);
    expect(reads('jsr $1234')).toEqual([0x200, 0x201, D(0x1fd), 0x202]);
    expect(
      reads('rts', (c, b) => {
        b.mem[0x1fe] = 0x33;
        b.mem[0x1ff] = 0x12;
      }),
    ).toEqual([0x200, D(0x201), D(0x1fd), 0x1fe, 0x1ff, D(0x1233)]);
    // Real reads stay unflagged: operands, data, pointers.
    expect(reads('lda ($10),y')).toEqual([0x200, 0x201, 0x10, 0x11, 0]);
  });
});
