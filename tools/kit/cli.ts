import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { UsageError } from './options';

export interface Command<O extends { help: boolean }> {
  /** Parses the command line; throws UsageError on a bad one. */
  parse(argv: readonly string[]): O;
  usage: string;
  /** Does the work; resolves with the exit code. */
  main(options: O): Promise<number>;
}

/**
 * The frame of every `npm run` command: parse the options (a UsageError prints one line and
 * exits 2), print the usage for --help, else run `main` and exit with its code, or with 1 and
 * one `error:` line when it throws.
 */
export function runCommand<O extends { help: boolean }>(command: Command<O>, argv: readonly string[] = process.argv.slice(2)): void {
  let options: O;
  try {
    options = command.parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(command.usage);
    return;
  }
  command.main(options).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** An abort signal for Ctrl-C: the first one aborts it (printing `note`), the second exits 130 at once. */
export interface Interrupt {
  signal: AbortSignal;
  /** Stops listening. */
  dispose(): void;
}

export function onInterrupt(note: string, signals: readonly NodeJS.Signals[] = ['SIGINT']): Interrupt {
  const abort = new AbortController();
  const handler = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write(`\n${note}\n`);
    abort.abort(new Error('interrupted'));
  };
  for (const signal of signals) process.on(signal, handler);
  return {
    signal: abort.signal,
    dispose: () => {
      for (const signal of signals) process.removeListener(signal, handler);
    },
  };
}

/** Writes `content` to `file` (directories created); resolves with the absolute path. */
export async function writeOutputFile(file: string, content: string): Promise<string> {
  const resolved = path.resolve(file);
  await mkdir(path.dirname(resolved), { recursive: true });
  await writeFile(resolved, content);
  return resolved;
}

/** Pretty JSON with a final newline, as every --json file is written. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
