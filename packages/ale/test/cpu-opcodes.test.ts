// Every opcode: cycle count (table + page-crossing / branch penalties) == bus accesses, instruction length.
import { describe, expect, it } from 'vitest';
import { OPCODES, type OpInfo } from '../src/cpu/index.js';
import { machine, stepChecked, hex } from './cpu-helpers.js';

const ORG = 0x0200;

/** Set up operand bytes and registers so that the effective address lands on $0300+ (cross: on $0300+$FF). */
function setup(info: OpInfo, cross: boolean) {
  const { cpu, bus } = machine([info.opcode], ORG);
  const m = bus.mem;
  const idx = cross ? 0xff : 0x00;
  cpu.x = idx;
  cpu.y = idx;
  const base = cross ? 0x03f0 : 0x0300;
  switch (info.mode) {
    case 'zp':
    case 'zpx':
    case 'zpy':
      m[ORG + 1] = 0x10;
      break;
    case 'abs':
    case 'absx':
    case 'absy':
    case 'ind':
      m[ORG + 1] = base & 0xff;
      m[ORG + 2] = base >> 8;
      break;
    case 'indx':
      m[ORG + 1] = 0x10;
      m[(0x10 + idx) & 0xff] = base & 0xff;
      m[(0x11 + idx) & 0xff] = base >> 8;
      break;
    case 'indy':
      m[ORG + 1] = 0x10;
      m[0x10] = base & 0xff;
      m[0x11] = base >> 8;
      break;
    default:
      m[ORG + 1] = 0x05;
  }
  if (info.mnemonic === 'JSR' || info.mnemonic === 'JMP') {
    m[ORG + 1] = 0x00;
    m[ORG + 2] = 0x03;
  }
  // RTS/RTI pull from the stack
  cpu.sp = 0xf0;
  m[0x1f1] = 0x00;
  m[0x1f2] = 0x40;
  m[0x1f3] = 0x04;
  return { cpu, bus };
}

const BRANCH_FLAG = [0x80, 0x40, 0x01, 0x02]; // N V C Z by opcode bits 7-6

describe('opcode table', () => {
  it('has 151 documented opcodes and 105 undocumented ones', () => {
    expect(OPCODES.filter((o) => !o.illegal).length).toBe(151);
    expect(OPCODES.filter((o) => o.illegal).length).toBe(105);
    expect(OPCODES.filter((o) => o.mnemonic === 'KIL').map((o) => o.opcode)).toEqual([
      0x02, 0x12, 0x22, 0x32, 0x42, 0x52, 0x62, 0x72, 0x92, 0xb2, 0xd2, 0xf2,
    ]);
  });
});

describe('cycles and lengths of all 256 opcodes', () => {
  for (const info of OPCODES) {
    const name = `${hex(info.opcode)} ${info.mnemonic} ${info.mode}`;
    if (info.mode === 'rel') {
      it(`${name}: 2 / 3 taken / 4 taken across a page`, () => {
        const flag = BRANCH_FLAG[info.opcode >> 6]!;
        const want = (info.opcode & 0x20) !== 0;
        for (const [taken, offset, org, cycles] of [
          [false, 0x10, 0x0200, 2],
          [true, 0x10, 0x0200, 3],
          [true, 0x7f, 0x02f0, 4],
          [true, 0x80, 0x0200, 4],
        ] as const) {
          const { cpu, bus } = machine([info.opcode, offset], org);
          cpu.p = taken === want ? flag : 0;
          expect(stepChecked(cpu, bus)).toBe(cycles);
          const next = org + 2;
          expect(cpu.pc).toBe(taken ? (next + ((offset ^ 0x80) - 0x80)) & 0xffff : next);
        }
      });
      continue;
    }
    it(`${name}: ${info.cycles}${info.pageCross ? '(+1)' : ''} cycles`, () => {
      const { cpu, bus } = setup(info, false);
      expect(stepChecked(cpu, bus)).toBe(info.cycles);
      expect(cpu.jammed).toBe(info.mnemonic === 'KIL');
      const flow = ['JSR', 'JMP', 'RTS', 'RTI', 'BRK'];
      if (!flow.includes(info.mnemonic)) expect(cpu.pc).toBe(ORG + (info.mnemonic === 'KIL' ? 1 : info.bytes));
      if (info.mode === 'absx' || info.mode === 'absy' || info.mode === 'indy') {
        const c2 = setup(info, true);
        expect(stepChecked(c2.cpu, c2.bus)).toBe(info.cycles + (info.pageCross ? 1 : 0));
      }
    });
  }

  it('JSR/RTS/RTI/BRK/JMP go where they should', () => {
    const info = (mn: string, mode = 'abs') => OPCODES.find((o) => o.mnemonic === mn && o.mode === mode)!;
    let s = setup(info('JSR'), false);
    stepChecked(s.cpu, s.bus);
    expect(s.cpu.pc).toBe(0x0300);
    s = setup(info('RTS', 'imp'), false);
    stepChecked(s.cpu, s.bus);
    expect(s.cpu.pc).toBe(0x4001);
    s = setup(info('RTI', 'imp'), false);
    stepChecked(s.cpu, s.bus);
    expect(s.cpu.pc).toBe(0x0440);
  });

  it('a jammed CPU reads $FFFF once per step and returns 1', () => {
    const { cpu, bus } = machine([0x02, 0xea], ORG);
    expect(stepChecked(cpu, bus)).toBe(2);
    expect(cpu.jammed).toBe(true);
    bus.clear();
    expect(stepChecked(cpu, bus)).toBe(1);
    expect(bus.log).toEqual([['r', 0xffff, 0]]);
    bus.mem[0xfffc] = 0x00;
    bus.mem[0xfffd] = 0x02;
    cpu.reset();
    expect(cpu.jammed).toBe(false);
  });
});
