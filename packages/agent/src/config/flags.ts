/**
 * Command-line flags generated from the config schema, like tyro or Hydra: every field is a flag, named by its
 * dotted path in kebab case (`--trpo.max-kl 0.02`, `--value-function.epochs 10`, `--num-envs 8`), parsed by its
 * type, documented by its description and default in the help. Aliases (keys.ts) are flags too (`--env`,
 * `--steps`, `--gamma`).
 */
import * as v from 'valibot';
import { KEY_ALIASES, setPath } from './keys.js';

type ValueKind =
  'number' | 'integer' | 'boolean' | 'string' | 'choice' | 'integer-or-choice' | 'numbers' | 'strings' | 'json';

export interface ConfigFlag {
  /** `--<flag>` on the command line. */
  flag: string;
  /** The config key, a dotted path. */
  key: string;
  kind: ValueKind;
  nullable: boolean;
  choices: readonly string[];
  description: string;
  defaultValue: unknown;
  /** The section the key belongs to, or null for run settings. */
  section: string | null;
  sectionDescription: string;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** `valueFunction.learningRate` → `value-function.learning-rate`. */
export const flagName = (key: string) => key.split('.').map(kebab).join('.');

type AnySchema = v.GenericSchema & {
  type: string;
  wrapped?: AnySchema;
  pipe?: readonly { type: string }[];
  options?: unknown;
  item?: AnySchema;
  entries?: Record<string, AnySchema>;
};

/** The schema under optional / nullable wrappers, and whether null is allowed. */
function unwrap(schema: AnySchema): { base: AnySchema; nullable: boolean; described: AnySchema } {
  let node = schema;
  let nullable = false;
  let described = schema;
  for (;;) {
    if (node.type === 'optional') node = node.wrapped!;
    else if (node.type === 'nullable') {
      nullable = true;
      node = node.wrapped!;
    } else break;
    // The outermost description is the field's (inner schemas may be described building blocks).
    if (v.getDescription(described as never) === undefined && v.getDescription(node as never) !== undefined)
      described = node;
  }
  return { base: node, nullable, described };
}

function kindOf(schema: AnySchema): { kind: ValueKind; choices: readonly string[] } {
  // Pipes nest (a described field around a bounded number): the first item of a pipe may be a pipe itself.
  const integer = (s: AnySchema): boolean =>
    (s.pipe ?? []).some((item, i) => item.type === 'integer' || (i === 0 && integer(item as AnySchema)));
  switch (schema.type) {
    case 'number':
      return { kind: integer(schema) ? 'integer' : 'number', choices: [] };
    case 'boolean':
    case 'string':
      return { kind: schema.type, choices: [] };
    case 'picklist':
      return { kind: 'choice', choices: schema.options as string[] };
    case 'union': {
      const options = schema.options as AnySchema[];
      const choices = options.filter((o) => o.type === 'picklist').flatMap((o) => o.options as string[]);
      return { kind: 'integer-or-choice', choices };
    }
    case 'array':
      return { kind: schema.item!.type === 'number' ? 'numbers' : 'strings', choices: [] };
    default:
      return { kind: 'json', choices: [] };
  }
}

/** Every field of `schema` (a whole-config schema) as a flag, sections in schema order. */
export function configFlags(schema: v.GenericSchema): ConfigFlag[] {
  const root = schema as AnySchema;
  const object = (root.pipe ? root.pipe[0] : root) as AnySchema;
  const flags: ConfigFlag[] = [];
  const visit = (
    entries: Record<string, AnySchema>,
    prefix: string,
    section: string | null,
    sectionDescription: string,
  ) => {
    for (const [name, entry] of Object.entries(entries)) {
      const key = prefix + name;
      const { base, nullable, described } = unwrap(entry);
      const description = v.getDescription(described as never) ?? '';
      if (base.type === 'strict_object' || base.type === 'object') {
        visit((base.pipe ? (base.pipe[0] as AnySchema) : base).entries!, `${key}.`, key, description);
        continue;
      }
      flags.push({
        flag: flagName(key),
        key,
        ...kindOf(base),
        nullable,
        description,
        defaultValue: v.getDefault(entry as never),
        section,
        sectionDescription,
      });
    }
  };
  visit(object.entries!, '', null, 'run settings');
  return flags;
}

/** The value of `text` for a flag of this kind (schema validation checks bounds and choices later). */
export function parseFlagValue(spec: Pick<ConfigFlag, 'flag' | 'kind' | 'nullable'>, text: string): unknown {
  if (spec.nullable && (text === 'null' || text === 'none')) return null;
  const number = (s: string) => {
    const value = Number(s);
    if (s.trim() === '' || Number.isNaN(value)) throw new Error(`--${spec.flag} expects a number, got '${s}'`);
    return value;
  };
  switch (spec.kind) {
    case 'number':
    case 'integer':
      return number(text);
    case 'integer-or-choice':
      return /^[+-]?\d/.test(text) ? number(text) : text;
    case 'boolean':
      if (['true', '1', 'yes'].includes(text)) return true;
      if (['false', '0', 'no'].includes(text)) return false;
      throw new Error(`--${spec.flag} expects true or false, got '${text}'`);
    case 'numbers':
      return text
        .split(',')
        .filter((s) => s.trim() !== '')
        .map(number);
    case 'strings':
      return text.split(',').filter((s) => s.trim() !== '');
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`--${spec.flag} expects JSON, got '${text}'`);
      }
    default:
      return text;
  }
}

export interface ParsedArgs {
  /** Values of the command's own options (not config keys), by name. */
  options: Record<string, string | boolean>;
  /** The config keys the flags set, as a nested object (aliases kept: keys.ts resolves them with the rest). */
  config: Record<string, unknown>;
}

/**
 * Splits `argv` into the command's own `options` (name → whether it takes a value: always, never, or when the next
 * argument is not an option — a bare optional one reads as true) and config flags. Accepts
 * `--flag value`, `--flag=value`, a bare `--flag` or `--no-flag` for booleans, and repeated or comma-separated
 * values for lists.
 */
export function parseConfigArgs(
  argv: readonly string[],
  flags: readonly ConfigFlag[],
  options: Readonly<Record<string, 'value' | 'switch' | 'optional-value'>>,
): ParsedArgs {
  const byFlag = new Map(flags.map((f) => [f.flag, f]));
  const aliasSpec = (name: string): ConfigFlag | undefined => {
    const alias = KEY_ALIASES[name] ?? KEY_ALIASES[name.replace(/-/g, '_')];
    if (!alias) return undefined;
    const target = flags.find((f) => f.key === alias.key);
    return target && { ...target, flag: name, key: KEY_ALIASES[name] ? name : name.replace(/-/g, '_') };
  };
  const parsed: ParsedArgs = { options: {}, config: {} };
  const lists = new Map<string, unknown[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}' (options start with --)`);
    const eq = arg.indexOf('=');
    let name = arg.slice(2, eq < 0 ? undefined : eq);
    const text: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    const next = () => {
      if (text !== undefined) return text;
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new Error(`--${name} needs a value`);
      return argv[++i];
    };
    if (name in options) {
      const takesValue =
        options[name] === 'value' ||
        (options[name] === 'optional-value' &&
          (text !== undefined || (i + 1 < argv.length && !argv[i + 1].startsWith('--'))));
      parsed.options[name] = takesValue ? next() : true;
      continue;
    }
    let negated = false;
    if (!byFlag.has(name) && name.startsWith('no-') && byFlag.get(name.slice(3))?.kind === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const spec = byFlag.get(name) ?? aliasSpec(name);
    if (!spec)
      throw new Error(
        `unknown option --${name}${suggestion(name, [...byFlag.keys(), ...Object.keys(options)])} (vinegym train --help lists them)`,
      );
    // A boolean flag takes a value only when one follows (`--x false`, `--x=false`); bare `--x` is true, `--no-x` false.
    const bareSwitch =
      spec.kind === 'boolean' &&
      text === undefined &&
      (negated || !/^(true|false|1|0|yes|no)$/.test(argv[i + 1] ?? ''));
    let value: unknown = bareSwitch ? !negated : parseFlagValue(spec, next());
    if (spec.kind === 'numbers' || spec.kind === 'strings') {
      const list = lists.get(spec.key) ?? [];
      list.push(...(value as unknown[]));
      lists.set(spec.key, list);
      value = list;
    }
    // Aliases keep their own name (resolved with the rest in keys.ts); schema keys go to their nested place.
    if (spec.key.includes('.')) setPath(parsed.config, spec.key, value);
    else parsed.config[spec.key] = value;
  }
  return parsed;
}

/** " (did you mean --x?)" for the closest known name, if one is close. */
function suggestion(name: string, known: readonly string[]): string {
  let best = '';
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, name.length / 4) ? ` (did you mean --${best}?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

const placeholder = (flag: ConfigFlag) =>
  ({
    number: '<number>',
    integer: '<int>',
    boolean: '[true|false]',
    string: '<text>',
    choice: `${flag.choices.join('|')}`,
    'integer-or-choice': `<int>|${flag.choices.join('|')}`,
    numbers: '<int,...>',
    strings: '<text,...>',
    json: '<json>',
  })[flag.kind];

const shown = (value: unknown) =>
  value === null || (Array.isArray(value) && value.length === 0)
    ? 'none'
    : Array.isArray(value)
      ? value.join(',')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);

/** The help text of the config flags: one block per section, each flag with its value, description and default. */
export function configFlagsHelp(flags: readonly ConfigFlag[], width = 118): string {
  const aliasesOf = (key: string) =>
    Object.entries(KEY_ALIASES)
      .filter(([, alias]) => alias.key === key && alias.origin === 'cli')
      .map(([name]) => `--${name}`);
  const lines: string[] = [];
  let section: string | null | undefined;
  for (const flag of flags) {
    if (flag.section !== section) {
      section = flag.section;
      lines.push('', section === null ? 'Run settings:' : `${section}: ${flag.sectionDescription}`);
    }
    const head = `  --${flag.flag} ${placeholder(flag)}`;
    const aliases = aliasesOf(flag.key);
    const tail = `${flag.description}${flag.defaultValue === undefined ? '' : ` (default ${shown(flag.defaultValue)})`}${aliases.length ? `; also ${aliases.join(', ')}` : ''}`;
    lines.push(...wrap(head, tail, width));
  }
  return lines.join('\n');
}

/** `head` and then `text`, wrapped to `width` with continuation lines indented under the text. */
function wrap(head: string, text: string, width: number): string[] {
  const indent = 38;
  const lines: string[] = [];
  let line = head.length + 2 <= indent ? head.padEnd(indent) : `${head}\n${' '.repeat(indent)}`;
  let lineLength = line.length - line.lastIndexOf('\n') - 1;
  for (const word of text.split(' ')) {
    if (lineLength + word.length + 1 > width && lineLength > indent) {
      lines.push(line.trimEnd());
      line = ' '.repeat(indent);
      lineLength = indent;
    }
    line += `${word} `;
    lineLength += word.length + 1;
  }
  lines.push(line.trimEnd());
  return lines;
}
