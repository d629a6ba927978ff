/**
 * NMOS 6502 / 6507 opcode table (data only): mnemonic, addressing mode, length and base cycle count for all 256
 * opcodes, documented and undocumented. Used by the assembler, by tests and by debugging tools; the interpreter
 * itself (execute.ts) does not read it.
 *
 * Facts (cycle counts, undocumented opcode map) as commonly published for the NMOS 6502, e.g. the
 * "NMOS 6510 Unintended Opcodes / No More Secrets" document and Stella's src/emucore/M6502.m4.
 *
 * Entry syntax: `MNE.mode.cycles` with an optional `+` = one extra cycle when the indexed address crosses a page
 * (read instructions only) and a leading `*` = undocumented opcode. Branches (mode `rel`) take 2 cycles, +1 when
 * taken and +1 more when the target is on another page.
 *
 * Undocumented mnemonics used here: LAX SAX DCP ISB SLO RLA SRE RRA ANC ALR ARR SBX ANE LXA SHA SHX SHY TAS LAS
 * KIL, NOP (with operands), SBC ($EB). Aliases accepted by the assembler: ISC=ISB, ASR=ALR, AXS=SBX, XAA=ANE,
 * AHX=SHA, JAM=KIL, SHS=TAS, DOP/TOP=NOP.
 */

export type Mode =
  'imp' | 'acc' | 'imm' | 'zp' | 'zpx' | 'zpy' | 'abs' | 'absx' | 'absy' | 'ind' | 'indx' | 'indy' | 'rel';

export interface OpInfo {
  opcode: number;
  mnemonic: string;
  mode: Mode;
  /** instruction length in bytes */
  bytes: number;
  /** base cycle count (= bus accesses) */
  cycles: number;
  /** +1 cycle if the indexed address crosses a page (read instructions) */
  pageCross: boolean;
  /** undocumented opcode */
  illegal: boolean;
}

// prettier-ignore
const TABLE = `
BRK.imp.7 ORA.indx.6 *KIL.imp.2 *SLO.indx.8 *NOP.zp.3 ORA.zp.3 ASL.zp.5 *SLO.zp.5
PHP.imp.3 ORA.imm.2 ASL.acc.2 *ANC.imm.2 *NOP.abs.4 ORA.abs.4 ASL.abs.6 *SLO.abs.6
BPL.rel.2 ORA.indy.5+ *KIL.imp.2 *SLO.indy.8 *NOP.zpx.4 ORA.zpx.4 ASL.zpx.6 *SLO.zpx.6
CLC.imp.2 ORA.absy.4+ *NOP.imp.2 *SLO.absy.7 *NOP.absx.4+ ORA.absx.4+ ASL.absx.7 *SLO.absx.7
JSR.abs.6 AND.indx.6 *KIL.imp.2 *RLA.indx.8 BIT.zp.3 AND.zp.3 ROL.zp.5 *RLA.zp.5
PLP.imp.4 AND.imm.2 ROL.acc.2 *ANC.imm.2 BIT.abs.4 AND.abs.4 ROL.abs.6 *RLA.abs.6
BMI.rel.2 AND.indy.5+ *KIL.imp.2 *RLA.indy.8 *NOP.zpx.4 AND.zpx.4 ROL.zpx.6 *RLA.zpx.6
SEC.imp.2 AND.absy.4+ *NOP.imp.2 *RLA.absy.7 *NOP.absx.4+ AND.absx.4+ ROL.absx.7 *RLA.absx.7
RTI.imp.6 EOR.indx.6 *KIL.imp.2 *SRE.indx.8 *NOP.zp.3 EOR.zp.3 LSR.zp.5 *SRE.zp.5
PHA.imp.3 EOR.imm.2 LSR.acc.2 *ALR.imm.2 JMP.abs.3 EOR.abs.4 LSR.abs.6 *SRE.abs.6
BVC.rel.2 EOR.indy.5+ *KIL.imp.2 *SRE.indy.8 *NOP.zpx.4 EOR.zpx.4 LSR.zpx.6 *SRE.zpx.6
CLI.imp.2 EOR.absy.4+ *NOP.imp.2 *SRE.absy.7 *NOP.absx.4+ EOR.absx.4+ LSR.absx.7 *SRE.absx.7
RTS.imp.6 ADC.indx.6 *KIL.imp.2 *RRA.indx.8 *NOP.zp.3 ADC.zp.3 ROR.zp.5 *RRA.zp.5
PLA.imp.4 ADC.imm.2 ROR.acc.2 *ARR.imm.2 JMP.ind.5 ADC.abs.4 ROR.abs.6 *RRA.abs.6
BVS.rel.2 ADC.indy.5+ *KIL.imp.2 *RRA.indy.8 *NOP.zpx.4 ADC.zpx.4 ROR.zpx.6 *RRA.zpx.6
SEI.imp.2 ADC.absy.4+ *NOP.imp.2 *RRA.absy.7 *NOP.absx.4+ ADC.absx.4+ ROR.absx.7 *RRA.absx.7
*NOP.imm.2 STA.indx.6 *NOP.imm.2 *SAX.indx.6 STY.zp.3 STA.zp.3 STX.zp.3 *SAX.zp.3
DEY.imp.2 *NOP.imm.2 TXA.imp.2 *ANE.imm.2 STY.abs.4 STA.abs.4 STX.abs.4 *SAX.abs.4
BCC.rel.2 STA.indy.6 *KIL.imp.2 *SHA.indy.6 STY.zpx.4 STA.zpx.4 STX.zpy.4 *SAX.zpy.4
TYA.imp.2 STA.absy.5 TXS.imp.2 *TAS.absy.5 *SHY.absx.5 STA.absx.5 *SHX.absy.5 *SHA.absy.5
LDY.imm.2 LDA.indx.6 LDX.imm.2 *LAX.indx.6 LDY.zp.3 LDA.zp.3 LDX.zp.3 *LAX.zp.3
TAY.imp.2 LDA.imm.2 TAX.imp.2 *LXA.imm.2 LDY.abs.4 LDA.abs.4 LDX.abs.4 *LAX.abs.4
BCS.rel.2 LDA.indy.5+ *KIL.imp.2 *LAX.indy.5+ LDY.zpx.4 LDA.zpx.4 LDX.zpy.4 *LAX.zpy.4
CLV.imp.2 LDA.absy.4+ TSX.imp.2 *LAS.absy.4+ LDY.absx.4+ LDA.absx.4+ LDX.absy.4+ *LAX.absy.4+
CPY.imm.2 CMP.indx.6 *NOP.imm.2 *DCP.indx.8 CPY.zp.3 CMP.zp.3 DEC.zp.5 *DCP.zp.5
INY.imp.2 CMP.imm.2 DEX.imp.2 *SBX.imm.2 CPY.abs.4 CMP.abs.4 DEC.abs.6 *DCP.abs.6
BNE.rel.2 CMP.indy.5+ *KIL.imp.2 *DCP.indy.8 *NOP.zpx.4 CMP.zpx.4 DEC.zpx.6 *DCP.zpx.6
CLD.imp.2 CMP.absy.4+ *NOP.imp.2 *DCP.absy.7 *NOP.absx.4+ CMP.absx.4+ DEC.absx.7 *DCP.absx.7
CPX.imm.2 SBC.indx.6 *NOP.imm.2 *ISB.indx.8 CPX.zp.3 SBC.zp.3 INC.zp.5 *ISB.zp.5
INX.imp.2 SBC.imm.2 NOP.imp.2 *SBC.imm.2 CPX.abs.4 SBC.abs.4 INC.abs.6 *ISB.abs.6
BEQ.rel.2 SBC.indy.5+ *KIL.imp.2 *ISB.indy.8 *NOP.zpx.4 SBC.zpx.4 INC.zpx.6 *ISB.zpx.6
SED.imp.2 SBC.absy.4+ *NOP.imp.2 *ISB.absy.7 *NOP.absx.4+ SBC.absx.4+ INC.absx.7 *ISB.absx.7
`;

export const MODE_BYTES: Record<Mode, number> = {
  imp: 1,
  acc: 1,
  imm: 2,
  zp: 2,
  zpx: 2,
  zpy: 2,
  abs: 3,
  absx: 3,
  absy: 3,
  ind: 3,
  indx: 2,
  indy: 2,
  rel: 2,
};

function build(): OpInfo[] {
  const entries = TABLE.trim().split(/\s+/);
  if (entries.length !== 256) throw new Error(`opcode table has ${entries.length} entries`);
  return entries.map((e, opcode) => {
    const illegal = e.startsWith('*');
    const [mnemonic, mode, cyc] = (illegal ? e.slice(1) : e).split('.') as [string, Mode, string];
    return {
      opcode,
      mnemonic,
      mode,
      bytes: MODE_BYTES[mode],
      cycles: parseInt(cyc, 10),
      pageCross: cyc.endsWith('+'),
      illegal,
    };
  });
}

/** OPCODES[op] describes opcode `op`. */
export const OPCODES: readonly OpInfo[] = build();

/** Alternative names of undocumented mnemonics -> the names used in OPCODES. */
export const MNEMONIC_ALIASES: Readonly<Record<string, string>> = {
  ISC: 'ISB',
  INS: 'ISB',
  ASR: 'ALR',
  AXS: 'SBX',
  XAA: 'ANE',
  AHX: 'SHA',
  AXA: 'SHA',
  SHS: 'TAS',
  XAS: 'TAS',
  JAM: 'KIL',
  HLT: 'KIL',
  LAR: 'LAS',
  DOP: 'NOP',
  TOP: 'NOP',
  OAL: 'LXA',
  ATX: 'LXA',
};
