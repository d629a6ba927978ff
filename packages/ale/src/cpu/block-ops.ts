/**
 * What each 6502 operation does, as JavaScript statements for the block compiler (block-source.ts), over its locals:
 * registers `a x y sp`, flags `fN fZ fC fV fD fI` (as in interpreter.ts), temporaries `v` (operand / old value),
 * `r` (value to write), `t`, `ea` (effective address) and `h` (arith.ts helpers). `$v` stands for the operand's
 * expression (a constant where the compiler knows it).
 */
import { PACKED_C, PACKED_N, PACKED_V, PACKED_Z, UNSTABLE_MAGIC } from './arith.js';
import type { Mode } from './opcodes.js';

export type Kind = 'read' | 'write' | 'modify' | 'implied' | 'other';

/** Operations whose operand is read (`$v`), written (`r` from the template) or read, modified and written. */
export const READ_OPS: Record<string, string> = {
  ORA: 'a = fN = fZ = a | $v;',
  AND: 'a = fN = fZ = a & $v;',
  EOR: 'a = fN = fZ = a ^ $v;',
  ADC: '$adc',
  SBC: '$sbc',
  CMP: 't = a - $v; fC = t >= 0 ? 1 : 0; fN = fZ = t & 0xff;',
  CPX: 't = x - $v; fC = t >= 0 ? 1 : 0; fN = fZ = t & 0xff;',
  CPY: 't = y - $v; fC = t >= 0 ? 1 : 0; fN = fZ = t & 0xff;',
  BIT: 'fZ = a & $v; fN = $v; fV = ($v >> 6) & 1;',
  LDA: 'a = fN = fZ = $v;',
  LDX: 'x = fN = fZ = $v;',
  LDY: 'y = fN = fZ = $v;',
  LAX: 'a = x = fN = fZ = $v;',
  LAS: 'a = x = sp = fN = fZ = sp & $v;',
  NOP: '',
  ANC: 'a = fN = fZ = a & $v; fC = a >> 7;',
  ALR: 't = a & $v; fC = t & 1; a = fN = fZ = t >> 1;',
  ARR:
    't = a & $v; r = (t >> 1) | (fC << 7); if (fD === 0) { a = fN = fZ = r; fC = (r >> 6) & 1; ' +
    'fV = ((r >> 6) ^ (r >> 5)) & 1; } else { fN = fC << 7; fZ = r; fV = ((t ^ r) >> 6) & 1; ' +
    't = h.arrDecimal(t, r); a = t & 0xff; fC = t >> 8; }',
  ANE: `a = fN = fZ = (a | ${UNSTABLE_MAGIC}) & x & $v;`,
  LXA: `a = x = fN = fZ = (a | ${UNSTABLE_MAGIC}) & $v;`,
  SBX: 't = (a & x) - $v; fC = t >= 0 ? 1 : 0; x = fN = fZ = t & 0xff;',
};

export const WRITE_OPS: Record<string, string> = {
  STA: 'r = a;',
  STX: 'r = x;',
  STY: 'r = y;',
  SAX: 'r = a & x;',
  SHA: 'r = a & x & ((ea >> 8) + 1);',
  SHX: 'r = x & ((ea >> 8) + 1);',
  SHY: 'r = y & ((ea >> 8) + 1);',
  TAS: 'sp = a & x; r = sp & ((ea >> 8) + 1);',
};

/** `v` = the old value; `r` = the new one. */
export const MODIFY_OPS: Record<string, string> = {
  ASL: 'fC = v >> 7; r = fN = fZ = (v << 1) & 0xff;',
  LSR: 'fC = v & 1; r = fN = fZ = v >> 1;',
  ROL: 'r = fN = fZ = ((v << 1) & 0xff) | fC; fC = v >> 7;',
  ROR: 'r = fN = fZ = (v >> 1) | (fC << 7); fC = v & 1;',
  INC: 'r = fN = fZ = (v + 1) & 0xff;',
  DEC: 'r = fN = fZ = (v - 1) & 0xff;',
  SLO: 'r = (v << 1) & 0xff; fC = v >> 7; a = fN = fZ = a | r;',
  RLA: 'r = ((v << 1) & 0xff) | fC; fC = v >> 7; a = fN = fZ = a & r;',
  SRE: 'r = v >> 1; fC = v & 1; a = fN = fZ = a ^ r;',
  RRA: 'r = (v >> 1) | (fC << 7); t = h.adc(a, r, v & 1, fD); $unpack',
  DCP: 'r = (v - 1) & 0xff; t = a - r; fC = t >= 0 ? 1 : 0; fN = fZ = t & 0xff;',
  ISB: 'r = (v + 1) & 0xff; t = h.sbc(a, r, fC, fD); $unpack',
};

/** One-byte instructions after their dummy read (ASL A etc. have mode `acc`). */
export const IMPLIED_OPS: Record<string, string> = {
  ASL: 'fC = a >> 7; a = fN = fZ = (a << 1) & 0xff;',
  LSR: 'fC = a & 1; a = fN = fZ = a >> 1;',
  ROL: 't = ((a << 1) & 0xff) | fC; fC = a >> 7; a = fN = fZ = t;',
  ROR: 't = (a >> 1) | (fC << 7); fC = a & 1; a = fN = fZ = t;',
  CLC: 'fC = 0;',
  SEC: 'fC = 1;',
  CLI: 'fI = 0;',
  SEI: 'fI = 1;',
  CLV: 'fV = 0;',
  CLD: 'fD = 0;',
  SED: 'fD = 1;',
  TAX: 'x = fN = fZ = a;',
  TAY: 'y = fN = fZ = a;',
  TXA: 'a = fN = fZ = x;',
  TYA: 'a = fN = fZ = y;',
  TSX: 'x = fN = fZ = sp;',
  TXS: 'sp = x;',
  INX: 'x = fN = fZ = (x + 1) & 0xff;',
  INY: 'y = fN = fZ = (y + 1) & 0xff;',
  DEX: 'x = fN = fZ = (x - 1) & 0xff;',
  DEY: 'y = fN = fZ = (y - 1) & 0xff;',
  NOP: '',
};

export const UNPACK =
  `a = t & 0xff; fC = (t & ${PACKED_C}) >> 8; fV = (t & ${PACKED_V}) >> 9; ` +
  `fN = (t & ${PACKED_N}) >> 3; fZ = t & ${PACKED_Z} ? 0 : 1;`;

/** Binary ADC/SBC inline (SBC is A + ~M + C), decimal mode through arith.ts. */
export function addWithCarry(operand: string, subtract: boolean): string {
  const r = subtract ? `r = ${operand} ^ 0xff;` : `r = ${operand};`;
  const call = subtract ? `h.sbc(a, ${operand}, fC, fD)` : `h.adc(a, ${operand}, fC, fD)`;
  return (
    `if (fD === 0) { ${r} t = a + r + fC; fV = (((a ^ t) & (r ^ t)) >> 7) & 1; fC = t >> 8; ` +
    `a = fN = fZ = t & 0xff; } else { t = ${call}; ${UNPACK} }`
  );
}

export function kindOf(mnemonic: string, mode: Mode): Kind {
  if (mode === 'imp' || mode === 'acc') return mnemonic in IMPLIED_OPS ? 'implied' : 'other';
  if (mnemonic in READ_OPS) return 'read';
  if (mnemonic in WRITE_OPS) return 'write';
  if (mnemonic in MODIFY_OPS) return 'modify';
  return 'other';
}
