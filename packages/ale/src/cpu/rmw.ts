/**
 * Read-modify-write instructions on memory: read the operand, write the unmodified value back (the NMOS dummy
 * write), write the result. Plus the undocumented RMW combinations (SLO RLA SRE RRA DCP ISB) and the
 * undocumented stores SAX, SHA, SHX, SHY, TAS.
 */
import type { Cpu6502 } from './cpu.js';
import { adc, asl, cmp, lsr, rol, ror, sbc } from './alu.js';

export function aslM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  c.wr(ad, asl(c, v));
}

export function lsrM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  c.wr(ad, lsr(c, v));
}

export function rolM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  c.wr(ad, rol(c, v));
}

export function rorM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  c.wr(ad, ror(c, v));
}

export function incM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  const r = (v + 1) & 0xff;
  c.fN = c.fZ = r;
  c.wr(ad, r);
}

export function decM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  const r = (v - 1) & 0xff;
  c.fN = c.fZ = r;
  c.wr(ad, r);
}

/** SLO: ASL M, then ORA. */
export function sloM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  const r = (v << 1) & 0xff;
  c.fC = v >> 7;
  c.wr(ad, r);
  c.a = c.fN = c.fZ = c.a | r;
}

/** RLA: ROL M, then AND. */
export function rlaM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  const r = ((v << 1) & 0xff) | c.fC;
  c.fC = v >> 7;
  c.wr(ad, r);
  c.a = c.fN = c.fZ = c.a & r;
}

/** SRE: LSR M, then EOR. */
export function sreM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  const r = v >> 1;
  c.fC = v & 1;
  c.wr(ad, r);
  c.a = c.fN = c.fZ = c.a ^ r;
}

/** RRA: ROR M, then ADC (with the carry from the rotation; decimal mode honoured). */
export function rraM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  const r = (v >> 1) | (c.fC << 7);
  c.fC = v & 1;
  c.wr(ad, r);
  adc(c, r);
}

/** DCP: DEC M, then CMP. */
export function dcpM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  const r = (v - 1) & 0xff;
  c.wr(ad, r);
  cmp(c, c.a, r);
}

/** ISB/ISC: INC M, then SBC (decimal mode honoured). */
export function isbM(c: Cpu6502, ad: number): void {
  const v = c.rd(ad);
  c.wr(ad, v);
  const r = (v + 1) & 0xff;
  c.wr(ad, r);
  sbc(c, r);
}

/*
 * SHA/SHX/SHY/TAS ("unstable" stores): value & (H + 1). Convention (as Stella's M6502.m4, the CPU inside ALE):
 * H is the high byte of the final effective address, and the address is NOT corrupted on a page crossing.
 */

/** SHA/AHX (9F abs,Y / 93 (zp),Y): M = A & X & (H + 1). */
export function sha(c: Cpu6502, ad: number): void {
  c.wr(ad, c.a & c.x & ((ad >> 8) + 1));
}

/** SHX (9E abs,Y): M = X & (H + 1). */
export function shx(c: Cpu6502, ad: number): void {
  c.wr(ad, c.x & ((ad >> 8) + 1));
}

/** SHY (9C abs,X): M = Y & (H + 1). */
export function shy(c: Cpu6502, ad: number): void {
  c.wr(ad, c.y & ((ad >> 8) + 1));
}

/** TAS/SHS (9B abs,Y): SP = A & X, M = SP & (H + 1). */
export function tas(c: Cpu6502, ad: number): void {
  c.sp = c.a & c.x;
  c.wr(ad, c.sp & ((ad >> 8) + 1));
}
