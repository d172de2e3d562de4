// A small, strict argument parser: unknown flags are errors, values are typed by the command's spec.
import { GraftError } from '../core/errors';

export interface FlagSpec {
  type: 'boolean' | 'string' | 'number';
  short?: string;
  description: string;
  default?: string | number | boolean;
  /** Allowed values for a string flag. */
  choices?: string[];
  /** May be given more than once (values collected into an array). */
  multiple?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | number | boolean | string[] | undefined>;
}

export class UsageError extends GraftError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('usage', message);
  }
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs['flags'] = {};
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([k, s]) => [s.short!, k]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    let key: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      key = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      if (!(key in spec) && key.startsWith('no-') && spec[key.slice(3)]?.type === 'boolean') {
        flags[key.slice(3)] = false;
        continue;
      }
    } else {
      const k = byShort.get(a.slice(1));
      if (!k) throw new UsageError(`unknown option ${a}`);
      key = k;
    }
    const s = spec[key];
    if (!s) throw new UsageError(`unknown option --${key}`);
    if (s.type === 'boolean') {
      flags[key] = inline === undefined ? true : !['false', '0', 'no'].includes(inline);
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`option --${key} needs a value`);
    let value: string | number = raw;
    if (s.type === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) throw new UsageError(`option --${key} needs a number, got "${raw}"`);
    } else if (s.choices && !s.choices.includes(raw)) {
      throw new UsageError(`option --${key} must be one of ${s.choices.join(', ')}, got "${raw}"`);
    }
    if (s.multiple) {
      const prev = (flags[key] as string[] | undefined) ?? [];
      flags[key] = [...prev, String(value)];
    } else {
      flags[key] = value;
    }
  }
  for (const [k, s] of Object.entries(spec)) if (flags[k] === undefined && s.default !== undefined) flags[k] = s.default;
  return { positionals, flags };
}

export function formatFlags(spec: Record<string, FlagSpec>): string {
  return Object.entries(spec)
    .map(([k, s]) => {
      const name = `${s.short ? `-${s.short}, ` : ''}--${k}${s.type === 'boolean' ? '' : ` <${s.choices ? s.choices.join('|') : s.type}>`}`;
      const def = s.default !== undefined && s.type !== 'boolean' ? ` (default ${s.default})` : '';
      return `  ${name.padEnd(34)} ${s.description}${def}`;
    })
    .join('\n');
}
