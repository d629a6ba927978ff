/**
 * A tiny two-pass 6502 assembler (documented and undocumented opcodes) for tests and test programs.
 *
 * Syntax, one statement per line, `;` comments:
 *   label:            (or an identifier in column 0 that is not a mnemonic)
 *   NAME = expr       (also `NAME equ expr`, `.equ NAME expr`)
 *   .org expr         (also `org expr`, `* = expr`)
 *   .byte e, "str", ...   (.db, dc.b)      .word e, ...  (.dw, dc.w; little endian)
 *   .ds count[, fill]     (.fill)          .align n[, fill]
 *   mnemonic operand  with operands:  (none)  A  #e  e  e,X  e,Y  (e,X)  (e),Y  (e)
 * Zero-page forms are chosen when the value is known in pass 1 and < $100; forward references get the absolute
 * form. A `.w` suffix on the mnemonic (e.g. `sta.w WSYNC`) forces the absolute form, `.z` forces zero page.
 * Expressions: see expr.ts (`*` is the address of the current statement, <e / >e low / high byte).
 */
import { MNEMONIC_ALIASES, OPCODES, type Mode } from '../cpu/opcodes.js';
import { evaluate } from './expr.js';

export interface AssembleResult {
  /** the assembled bytes, from the origin (or the lowest address emitted) to the highest; gaps are 0 */
  bytes: Uint8Array;
  /** all labels and `=` constants */
  labels: Record<string, number>;
}

/** mnemonic -> mode -> opcode (documented opcode preferred, then the lowest) */
const OPMAP: Map<string, Map<Mode, number>> = (() => {
  const m = new Map<string, Map<Mode, number>>();
  const order = [...OPCODES].sort((a, b) => Number(a.illegal) - Number(b.illegal) || a.opcode - b.opcode);
  for (const o of order) {
    let modes = m.get(o.mnemonic);
    if (!modes) m.set(o.mnemonic, (modes = new Map()));
    if (!modes.has(o.mode)) modes.set(o.mode, o.opcode);
  }
  return m;
})();

function canonicalMnemonic(word: string): string {
  const u = word.toUpperCase();
  return MNEMONIC_ALIASES[u] ?? u;
}

function isMnemonic(word: string): boolean {
  return OPMAP.has(canonicalMnemonic(word.replace(/\.[wWzZbB]$/, '')));
}

class AsmError extends Error {}

interface Line {
  no: number;
  text: string;
}

function stripComment(s: string): string {
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (q) {
      if (ch === '\\') i++;
      else if (ch === q) q = null;
    } else if (ch === '"' || ch === "'") {
      // a lone ' inside an expression like 'a' is a char literal; treat both as quotes
      q = ch;
    } else if (ch === ';') return s.slice(0, i);
  }
  return s;
}

/** Split a directive argument list on commas outside quotes. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (q) {
      cur += ch;
      if (ch === '\\') cur += s[++i] ?? '';
      else if (ch === q) q = null;
    } else if (ch === '"' || ch === "'") {
      q = ch;
      cur += ch;
    } else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || out.length > 0) out.push(cur.trim());
  return out;
}

export function assemble(source: string, origin?: number): AssembleResult {
  const lines: Line[] = source.split(/\r?\n/).map((text, i) => ({ no: i + 1, text }));
  const symbols = new Map<string, number>();
  const modeChoice = new Map<number, Mode>();
  const mem = new Uint8Array(0x10000);
  const used = new Uint8Array(0x10000);
  let lo = Infinity;
  let hi = -Infinity;

  for (const pass of [1, 2] as const) {
    let pc = origin ?? 0;
    const emit = (b: number, line: Line) => {
      if (pass === 2) {
        const a = pc & 0xffff;
        if (used[a]) throw new AsmError(`line ${line.no}: address $${a.toString(16)} written twice`);
        used[a] = 1;
        mem[a] = b & 0xff;
        lo = Math.min(lo, a);
        hi = Math.max(hi, a);
      }
      pc++;
    };
    const ev = (expr: string, line: Line, required: boolean, at = pc): number | undefined => {
      let v: number | undefined;
      try {
        v = evaluate(expr, { lookup: (n) => symbols.get(n), pc: at });
      } catch (e) {
        throw new AsmError(`line ${line.no}: ${(e as Error).message}`);
      }
      if (v === undefined && (required || pass === 2)) {
        throw new AsmError(`line ${line.no}: undefined symbol in "${expr}"`);
      }
      return v;
    };
    const define = (name: string, value: number | undefined, line: Line) => {
      if (value === undefined) return;
      const old = symbols.get(name);
      if (pass === 1 && old !== undefined) throw new AsmError(`line ${line.no}: "${name}" defined twice`);
      if (pass === 2 && old !== undefined && old !== value) {
        throw new AsmError(
          `line ${line.no}: "${name}" changed between passes ($${old.toString(16)} -> $${value.toString(16)})`,
        );
      }
      symbols.set(name, value);
    };

    for (const line of lines) {
      let s = stripComment(line.text).replace(/\s+$/, '');
      if (s.trim() === '') continue;
      // label with colon, or column-0 identifier that is not a mnemonic/directive
      const lab = /^\s*([A-Za-z_.@][\w.@]*):/.exec(s);
      if (lab) {
        define(lab[1]!, pc, line);
        s = s.slice(lab[0].length);
      } else {
        const col0 = /^([A-Za-z_@][\w.@]*)(?=\s|$)/.exec(s);
        if (col0 && !isMnemonic(col0[1]!) && !/^(org|equ|=)$/i.test(col0[1]!)) {
          const rest = s.slice(col0[0].length).trim();
          if (!/^(=|equ\b)/i.test(rest)) {
            define(col0[1]!, pc, line);
            s = rest;
          }
        }
      }
      s = s.trim();
      if (s === '') continue;

      const assign = /^([A-Za-z_.@][\w.@]*)\s*(?:=|\s[eE][qQ][uU]\s)\s*(.+)$/.exec(s);
      const equ = /^\.equ\s+([A-Za-z_.@][\w.@]*)\s*,?\s*(.+)$/i.exec(s);
      const org = /^(?:\.?org\s+|\*\s*=\s*)(.+)$/i.exec(s);
      if (org) {
        pc = ev(org[1]!, line, true)!;
        continue;
      }
      if (equ || assign) {
        const m = (equ ?? assign)!;
        define(m[1]!, ev(m[2]!, line, false), line);
        continue;
      }
      const word = /^(\S+)\s*(.*)$/.exec(s)!;
      const head = word[1]!;
      const rest = word[2]!.trim();
      const dir = head.toLowerCase();
      if (dir === '.byte' || dir === '.db' || dir === 'dc.b' || dir === '.word' || dir === '.dw' || dir === 'dc.w') {
        const wide = dir === '.word' || dir === '.dw' || dir === 'dc.w';
        for (const arg of splitArgs(rest)) {
          if (!wide && arg.startsWith('"')) {
            const str = JSON.parse(arg) as string;
            for (let k = 0; k < str.length; k++) emit(str.charCodeAt(k), line);
            continue;
          }
          const v = ev(arg, line, false) ?? 0;
          emit(v, line);
          if (wide) emit(v >> 8, line);
        }
        continue;
      }
      if (dir === '.ds' || dir === '.fill' || dir === '.align') {
        const args = splitArgs(rest);
        const n = ev(args[0]!, line, true)!;
        const fill = args[1] !== undefined ? ev(args[1], line, true)! : 0;
        const count = dir === '.align' ? (n - (pc % n)) % n : n;
        for (let k = 0; k < count; k++) emit(fill, line);
        continue;
      }
      if (head.startsWith('.')) throw new AsmError(`line ${line.no}: unknown directive ${head}`);
      assembleInstruction(head, rest, line);
    }

    function assembleInstruction(head: string, operand: string, line: Line): void {
      const sfx = /\.([wWzZ])$/.exec(head);
      const force = sfx ? sfx[1]!.toLowerCase() : '';
      const mn = canonicalMnemonic(sfx ? head.slice(0, -2) : head);
      const modes = OPMAP.get(mn);
      if (!modes) throw new AsmError(`line ${line.no}: unknown mnemonic ${head}`);
      const start = pc;
      const fail = (why: string): never => {
        throw new AsmError(`line ${line.no}: ${mn} ${operand}: ${why}`);
      };
      const put = (mode: Mode, value?: number) => {
        const op = modes.get(mode);
        if (op === undefined) fail(`addressing mode ${mode} not available`);
        emit(op!, line);
        if (mode === 'imp' || mode === 'acc') return;
        const v = value ?? 0;
        if (mode === 'rel') {
          const off = v - (start + 2);
          if (pass === 2 && (off < -128 || off > 127)) fail(`branch out of range (${off})`);
          emit(off, line);
        } else if (
          mode === 'imm' ||
          mode === 'zp' ||
          mode === 'zpx' ||
          mode === 'zpy' ||
          mode === 'indx' ||
          mode === 'indy'
        ) {
          if (pass === 2 && (v < -128 || v > 0xff)) fail(`value $${v.toString(16)} does not fit a byte`);
          emit(v, line);
        } else {
          if (pass === 2 && (v < 0 || v > 0xffff)) fail(`value $${v.toString(16)} does not fit a word`);
          emit(v, line);
          emit(v >> 8, line);
        }
      };
      // choose zero page vs absolute: decided in pass 1, reused in pass 2
      const pick = (zpm: Mode, absm: Mode, v: number | undefined): Mode => {
        const prev = modeChoice.get(line.no);
        if (prev) return prev;
        let m: Mode;
        if (!modes.has(zpm)) m = absm;
        else if (!modes.has(absm)) m = zpm;
        else if (force === 'w') m = absm;
        else if (force === 'z') m = zpm;
        else m = v !== undefined && v >= 0 && v <= 0xff ? zpm : absm;
        modeChoice.set(line.no, m);
        return m;
      };

      const op = operand;
      if (op === '') return put(modes.has('imp') ? 'imp' : 'acc');
      if (/^a$/i.test(op) && modes.has('acc')) return put('acc');
      if (op.startsWith('#')) return put('imm', ev(op.slice(1), line, false));
      let m = /^\((.+),\s*[xX]\s*\)$/.exec(op);
      if (m) return put('indx', ev(m[1]!, line, false));
      m = /^\((.+)\)\s*,\s*[yY]$/.exec(op);
      if (m) return put('indy', ev(m[1]!, line, false));
      if (modes.has('ind')) {
        m = /^\((.+)\)$/.exec(op);
        if (m) return put('ind', ev(m[1]!, line, false));
      }
      m = /^(.+),\s*([xXyY])$/.exec(op);
      if (m) {
        const v = ev(m[1]!, line, false);
        const y = m[2]!.toLowerCase() === 'y';
        return put(y ? pick('zpy', 'absy', v) : pick('zpx', 'absx', v), v);
      }
      const v = ev(op, line, false);
      if (modes.has('rel')) return put('rel', v);
      return put(pick('zp', 'abs', v), v);
    }
  }

  if (lo === Infinity) return { bytes: new Uint8Array(0), labels: Object.fromEntries(symbols) };
  const start = origin ?? lo;
  if (lo < start) throw new AsmError(`code at $${lo.toString(16)} is below the origin $${start.toString(16)}`);
  return { bytes: mem.slice(start, hi + 1), labels: Object.fromEntries(symbols) };
}

export { AsmError };
