/**
 * Expressions of the tiny assembler: numbers ($hex, 0xhex, %bin, decimal, 'c'), symbols, `*` (current address),
 * unary - ~ < (low byte) > (high byte), binary * / % + - << >> & ^ | with C-like precedence, parentheses.
 */

export interface EvalContext {
  /** symbol value, or undefined when not (yet) defined */
  lookup(name: string): number | undefined;
  /** address of the current instruction */
  pc: number;
}

/** Result: value, or undefined if a symbol is not defined yet (pass 1 forward reference). */
export type EvalResult = number | undefined;

const BINARY: Record<string, number> = {
  '|': 1,
  '^': 2,
  '&': 3,
  '<<': 4,
  '>>': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

const TOKEN =
  /\s*(?:(\$[0-9a-fA-F]+|0[xX][0-9a-fA-F]+|%[01]+|\d+)|('(?:\\.|[^'])')|([A-Za-z_.@][\w.@]*)|(<<|>>|[-+*/%&|^~<>()]))/y;

type Tok = { kind: 'num' | 'sym' | 'op'; text: string; value?: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`bad expression near "${src.slice(pos)}"`);
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ kind: 'num', text: m[1], value: parseNumber(m[1]) });
    else if (m[2] !== undefined) {
      const body = m[2].slice(1, -1);
      const ch = body.startsWith('\\') ? unescape(body[1]!) : body;
      out.push({ kind: 'num', text: m[2], value: ch.charCodeAt(0) });
    } else if (m[3] !== undefined) out.push({ kind: 'sym', text: m[3] });
    else out.push({ kind: 'op', text: m[4]! });
  }
  return out;
}

function unescape(c: string): string {
  return c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '0' ? '\0' : c;
}

export function parseNumber(t: string): number {
  if (t.startsWith('$')) return parseInt(t.slice(1), 16);
  if (t.startsWith('0x') || t.startsWith('0X')) return parseInt(t.slice(2), 16);
  if (t.startsWith('%')) return parseInt(t.slice(1), 2);
  return parseInt(t, 10);
}

/** Evaluate an expression; undefined if it uses a symbol that is not defined yet. */
export function evaluate(src: string, ctx: EvalContext): EvalResult {
  const toks = tokenize(src);
  if (toks.length === 0) throw new Error('empty expression');
  let i = 0;
  let undef = false;

  const primary = (): number => {
    const t = toks[i++];
    if (!t) throw new Error(`unexpected end of expression "${src}"`);
    if (t.kind === 'num') return t.value!;
    if (t.kind === 'sym') {
      const v = ctx.lookup(t.text);
      if (v === undefined) {
        undef = true;
        return 0;
      }
      return v;
    }
    switch (t.text) {
      case '*':
        return ctx.pc;
      case '(': {
        const v = binary(0);
        if (toks[i++]?.text !== ')') throw new Error(`missing ) in "${src}"`);
        return v;
      }
      case '-':
        return -primary();
      case '+':
        return primary();
      case '~':
        return ~primary();
      case '<':
        return primary() & 0xff;
      case '>':
        return (primary() >> 8) & 0xff;
      default:
        throw new Error(`unexpected "${t.text}" in "${src}"`);
    }
  };

  const binary = (minPrec: number): number => {
    let left = primary();
    for (;;) {
      const t = toks[i];
      if (!t || t.kind !== 'op') break;
      const prec = BINARY[t.text];
      if (prec === undefined || prec <= minPrec) break;
      i++;
      const right = binary(prec);
      left = apply(t.text, left, right);
    }
    return left;
  };

  const v = binary(0);
  if (i !== toks.length) throw new Error(`unexpected "${toks[i]!.text}" in "${src}"`);
  return undef ? undefined : v;
}

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '&':
      return a & b;
    case '<<':
      return a << b;
    case '>>':
      return a >> b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return Math.trunc(a / b);
    case '%':
      return a % b;
    default:
      throw new Error(`bad operator ${op}`);
  }
}
