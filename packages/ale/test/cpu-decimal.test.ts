// Decimal mode as in ALE's Stella CPU (M6502.m4, 2005), checked exhaustively (all A, operand, carry) against a
// reference model written from its description: each operand is read as two decimal digits (A-F count as 10-15),
// the numbers are added or subtracted and the result is written back as two digits, mod 100; N and Z come from that
// result, V from its sign against both inputs, SBC's C from the binary subtraction. ale-py's frames depend on it for
// invalid BCD (Defender, Tutankham), where the NMOS chip gives other results.
import { describe, expect, it } from 'vitest';
import { Cpu6502, type Bus } from '../src/cpu/index.js';

interface Res {
  a: number;
  n: boolean;
  v: boolean;
  z: boolean;
  c: boolean;
}

const value = (x: number) => (x >> 4) * 10 + (x & 0x0f);
const digits = (n: number) => (Math.floor((n % 100) / 10) << 4) | (n % 10);

function result(a: number, b: number, r: number, c: boolean): Res {
  return { a: r, c, n: (r & 0x80) !== 0, z: r === 0, v: ((a ^ r) & (r ^ b) & 0x80) !== 0 };
}

function refAdc(a: number, b: number, c: number): Res {
  const sum = value(a) + value(b) + c;
  return result(a, b, digits(sum & 0xff), sum > 99);
}

function refSbc(a: number, b: number, c: number): Res {
  const borrow = 1 - c;
  let diff = value(a) - value(b) - borrow;
  if (diff < 0) diff += 100;
  // Operands above $99 can leave diff negative; Stella then reads the byte before its digits table, which is the
  // value table's entry 256 + diff.
  const r = diff >= 0 ? digits(diff) : value(256 + diff);
  return result(a, b, r, a - b - borrow >= 0);
}

const key = (r: Res) => `a=${r.a} n=${+r.n} v=${+r.v} z=${+r.z} c=${+r.c}`;

class Mem implements Bus {
  mem = new Uint8Array(0x10000);
  read(a: number) {
    return this.mem[a]!;
  }
  write(a: number, v: number) {
    this.mem[a] = v;
  }
}

function flags(cpu: Cpu6502): Res {
  const p = cpu.p;
  return { a: cpu.a, n: (p & 0x80) !== 0, v: (p & 0x40) !== 0, z: (p & 0x02) !== 0, c: (p & 0x01) !== 0 };
}

/**
 * Run `opcode #b` (or, with `pre`, `opcode $10` with b at $10) for all a, b, carry with D set (`decimal`) or clear;
 * compare with `ref`; returns the number of mismatches (first ones listed).
 */
function sweep(
  opcode: number,
  ref: (a: number, b: number, c: number) => Res,
  pre?: (b: number) => number,
  decimal = true,
) {
  const bus = new Mem();
  const cpu = new Cpu6502(bus);
  const bad: string[] = [];
  let count = 0;
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      for (let c = 0; c < 2; c++) {
        bus.mem[0x200] = opcode;
        bus.mem[0x201] = pre ? 0x10 : b; // zero-page operand at $10 for the RMW opcode
        bus.mem[0x10] = b;
        cpu.pc = 0x200;
        cpu.a = a;
        cpu.p = (decimal ? 0x08 : 0) | c;
        cpu.step();
        const got = flags(cpu);
        const want = ref(a, pre ? pre(b) : b, c);
        if (key(got) !== key(want)) {
          count++;
          if (bad.length < 5) bad.push(`a=${a} b=${b} c=${c}: got ${key(got)} want ${key(want)}`);
        }
      }
    }
  }
  return { count, bad };
}

function refBinaryAdc(a: number, b: number, c: number): Res {
  const s = a + b + c;
  const r = s & 0xff;
  return { a: r, c: s > 0xff, n: (r & 0x80) !== 0, z: r === 0, v: (~(a ^ b) & (a ^ r) & 0x80) !== 0 };
}

function refBinarySbc(a: number, b: number, c: number): Res {
  const s = a - b - (1 - c);
  const r = s & 0xff;
  return { a: r, c: s >= 0, n: (r & 0x80) !== 0, z: r === 0, v: ((a ^ b) & (a ^ r) & 0x80) !== 0 };
}

// The interpreter's fast path does binary ADC/SBC #imm and zp itself; the other forms go through arith.ts.
describe('binary mode against the arithmetic definition, all 131072 cases each', () => {
  const zp = (b: number) => b;
  it('ADC #imm and zp', () => {
    expect(sweep(0x69, refBinaryAdc, undefined, false)).toEqual({ count: 0, bad: [] });
    expect(sweep(0x65, refBinaryAdc, zp, false)).toEqual({ count: 0, bad: [] });
  });
  it('SBC #imm and zp, and $EB (general decoder)', () => {
    expect(sweep(0xe9, refBinarySbc, undefined, false)).toEqual({ count: 0, bad: [] });
    expect(sweep(0xe5, refBinarySbc, zp, false)).toEqual({ count: 0, bad: [] });
    expect(sweep(0xeb, refBinarySbc, undefined, false)).toEqual({ count: 0, bad: [] });
  });
});

describe("decimal mode (ALE's Stella) against the reference model, all 131072 cases each", () => {
  it('ADC #imm', () => expect(sweep(0x69, refAdc)).toEqual({ count: 0, bad: [] }));
  it('SBC #imm', () => expect(sweep(0xe9, refSbc)).toEqual({ count: 0, bad: [] }));
  it('SBC #imm ($EB)', () => expect(sweep(0xeb, refSbc)).toEqual({ count: 0, bad: [] }));

  it('ISB zp = INC then decimal SBC (memory operand incremented)', () => {
    // the memory byte is b, INC makes it b+1 before the subtraction
    expect(sweep(0xe7, refSbc, (b) => (b + 1) & 0xff).count).toBe(0);
  });

  it('RRA zp = ROR then decimal ADC with the rotated-out carry', () => {
    const bus = new Mem();
    const cpu = new Cpu6502(bus);
    let bad = 0;
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        for (let c = 0; c < 2; c++) {
          bus.mem.set([0x67, 0x10], 0x200);
          bus.mem[0x10] = b;
          cpu.pc = 0x200;
          cpu.a = a;
          cpu.p = 0x08 | c;
          cpu.step();
          const rot = (b >> 1) | (c << 7);
          const want = refAdc(a, rot, b & 1);
          if (key(flags(cpu)) !== key(want) || bus.mem[0x10] !== rot) bad++;
        }
      }
    }
    expect(bad).toBe(0);
  });

  it('known values: 09+01=10, 99+01=00 C, 00-01=99 borrow, 10-01=09, invalid digits', () => {
    const bus = new Mem();
    const cpu = new Cpu6502(bus);
    const t = (op: number, a: number, b: number, c: number) => {
      bus.mem.set([op, b], 0x200);
      cpu.pc = 0x200;
      cpu.a = a;
      cpu.p = 0x08 | c;
      cpu.step();
      return [cpu.a, cpu.p & 1];
    };
    expect(t(0x69, 0x09, 0x01, 0)).toEqual([0x10, 0]);
    expect(t(0x69, 0x99, 0x01, 0)).toEqual([0x00, 1]);
    expect(t(0x69, 0x58, 0x46, 1)).toEqual([0x05, 1]);
    expect(t(0xe9, 0x00, 0x01, 1)).toEqual([0x99, 0]);
    expect(t(0xe9, 0x10, 0x01, 1)).toEqual([0x09, 1]);
    expect(t(0xe9, 0x46, 0x12, 1)).toEqual([0x34, 1]);
    expect(t(0xe9, 0x40, 0x13, 1)).toEqual([0x27, 1]);
    expect(t(0xe9, 0x32, 0x02, 0)).toEqual([0x29, 1]);
    // Invalid digits: Defender's frame counter $09 + $0D is 9 + 13 = 22 ($1C on the NMOS chip).
    expect(t(0x69, 0x09, 0x0d, 0)).toEqual([0x22, 0]);
    expect(t(0x69, 0xff, 0xff, 1)).toEqual([0x75, 1]); // 165 + 165 + 1 = 331, kept as a byte: 75
    expect(t(0xe9, 0x00, 0xff, 1)).toEqual([0x7d, 0]);
  });
});
