import { parseArgs } from 'node:util';

/** A bad command line; the message is the one line to print (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The options of a command by kind: `values` take one value each (`--name value` or
 * `--name=value`), `lists` take one per occurrence, `flags` take none. Every command also
 * has `-h`/`--help`.
 */
export interface CommandSpec<V extends string, L extends string, F extends string> {
  values?: readonly V[];
  lists?: readonly L[];
  flags?: readonly F[];
  /** How many plain arguments the command takes; default none. */
  positionals?: number;
}

/** What was given: a value or undefined, a list (maybe empty), true or false. */
export type OptionValues<V extends string, L extends string, F extends string> = { [K in V]: string | undefined } & { [K in L]: string[] } & {
  [K in F | 'help']: boolean;
};

export interface CommandLine<V extends string, L extends string, F extends string> {
  values: OptionValues<V, L, F>;
  positionals: string[];
}

/**
 * Parses `argv` with node:util `parseArgs` and the house rules on top, each broken rule a
 * {@link UsageError}: an unknown option, a value option without a value (a following `--x`
 * is not a value), a flag with one, a value option given twice, more plain arguments than
 * the command takes.
 */
export function parseCommandLine<const V extends string = never, const L extends string = never, const F extends string = never>(
  argv: readonly string[],
  spec: CommandSpec<V, L, F>,
): CommandLine<V, L, F> {
  const kinds = new Map<string, 'value' | 'list' | 'flag'>([['help', 'flag']]);
  for (const name of spec.values ?? []) kinds.set(name, 'value');
  for (const name of spec.lists ?? []) kinds.set(name, 'list');
  for (const name of spec.flags ?? []) kinds.set(name, 'flag');
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, kind] of kinds) if (name !== 'help') options[name] = { type: kind === 'flag' ? 'boolean' : 'string' };

  const values: Record<string, boolean | string | string[] | undefined> = {};
  for (const [name, kind] of kinds) values[name] = kind === 'flag' ? false : kind === 'list' ? [] : undefined;
  const positionals: string[] = [];
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (positionals.length >= (spec.positionals ?? 0)) throw new UsageError(`unexpected argument ${JSON.stringify(token.value)} (see --help)`);
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') throw new UsageError('unexpected argument "--" (see --help)');
    const kind = kinds.get(token.name);
    if (!kind) throw new UsageError(`unknown option ${token.rawName} (see --help)`);
    const label = `--${token.name}`;
    if (kind === 'flag') {
      if (token.value !== undefined) throw new UsageError(`${label} takes no value`);
      values[token.name] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) throw new UsageError(`${label} needs a value`);
    if (kind === 'list') (values[token.name] as string[]).push(token.value);
    else if (values[token.name] !== undefined) throw new UsageError(`${label} given twice`);
    else values[token.name] = token.value;
  }
  return { values: values as OptionValues<V, L, F>, positionals };
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
