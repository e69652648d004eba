import { parseArgs } from 'node:util';

/** A bad command line; the message is the one line to print (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One option of a command: `--name VALUE` (string) or a `--name` flag (boolean). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** A one-letter alias, e.g. `h` for `-h`. */
  short?: string;
  /** May be given more than once (its values are collected); otherwise twice is an error. */
  multiple?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What was given: booleans true or false, strings their value (a list when `multiple`), or undefined. */
export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string | undefined;
};

export interface CommandLine<S extends OptionSpecs> {
  values: OptionValues<S>;
  positionals: string[];
}

/**
 * Parses `argv` with node:util `parseArgs` and the house rules on top, each broken rule a
 * {@link UsageError}: an unknown option, a value option without a value (a following `--x`
 * is not a value), a flag with one, an option given twice, more than `maxPositionals` plain
 * arguments. Options take `--name value` and `--name=value`.
 */
export function parseCommandLine<const S extends OptionSpecs>(argv: readonly string[], specs: S, maxPositionals = 0): CommandLine<S> {
  const { tokens } = parseArgs({ args: [...argv], options: specs, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, boolean | string | string[] | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = spec.type === 'boolean' ? false : spec.multiple ? [] : undefined;
  const positionals: string[] = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (positionals.length >= maxPositionals) throw new UsageError(`unexpected argument ${JSON.stringify(token.value)} (see --help)`);
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') throw new UsageError('unexpected argument "--" (see --help)');
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (!spec) throw new UsageError(`unknown option ${token.rawName} (see --help)`);
    const label = spec.short === token.rawName.slice(1) ? `--${token.name}` : token.rawName;
    if (seen.has(token.name) && !spec.multiple && spec.type === 'string') throw new UsageError(`${label} given twice`);
    seen.add(token.name);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${label} takes no value`);
      values[token.name] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) throw new UsageError(`${label} needs a value`);
    if (spec.multiple) (values[token.name] as string[]).push(token.value);
    else values[token.name] = token.value;
  }
  return { values: values as OptionValues<S>, positionals };
}

/** `value` as an integer in [min, max]; undefined when not given. */
export function integerOption(value: string | undefined, label: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`invalid ${label} ${JSON.stringify(value)}: expected an integer from ${min} to ${max}`);
  }
  return parsed;
}

/** `value` as an http(s) origin without path, query or fragment (a trailing slash is fine); undefined when not given. */
export function originOption(value: string | undefined, label: string, example = 'http://127.0.0.1:8080'): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new UsageError(`invalid ${label} ${JSON.stringify(value)}: expected an http:// or https:// origin such as ${example}`);
  }
  return url.origin;
}

/** `value` as a file name (not blank); undefined when not given. */
export function fileOption(value: string | undefined, label: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`invalid ${label}: expected a file name`);
  return value;
}
