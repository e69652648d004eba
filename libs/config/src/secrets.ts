import { readFileSync } from 'node:fs';
import { ConfigError, Env, EnvReader } from './env';

const SECRET_PATTERN = /^[\x21-\x7e]{32,512}$/;
const SECRET_RULE = '32 to 512 printable ASCII characters';

/** Reads a file's content; injectable so tests need no files. */
export type ReadSecretFile = (path: string) => string;

export const readSecretFileSync: ReadSecretFile = (path) => readFileSync(path, 'utf8');

/**
 * The secret held in the file a `*_FILE` variable names (a mounted Kubernetes Secret, a compose
 * volume): its first line, trimmed, which must match `pattern`. Unreadable or malformed, the
 * variable is invalid.
 */
export function readSecretFile(variable: string, file: string, pattern: RegExp, rule: string, readFile: ReadSecretFile): string {
  let content: string;
  try {
    content = readFile(file);
  } catch (error) {
    throw new ConfigError(variable, file, `a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const secret = content.split('\n')[0].trim();
  if (!pattern.test(secret)) throw new ConfigError(variable, file, `a file whose first line is ${rule}`);
  return secret;
}

/**
 * The lab secret that authenticates the internal TCP hop: LAB_SECRET, or the first line of the
 * file LAB_SECRET_FILE names (compose shares one through a volume, Kubernetes mounts a Secret).
 * The gateway and every replica need the same one; the native launcher generates one per lab
 * run. Missing or weak, the process does not start: an open hop lets any local process read
 * sessions and write carts.
 */
export function loadHopSecret(env: Env, readFile: ReadSecretFile = readSecretFileSync): string {
  const read = new EnvReader(env);
  const file = read.raw('LAB_SECRET_FILE');
  if (file !== undefined) return readSecretFile('LAB_SECRET_FILE', file, SECRET_PATTERN, SECRET_RULE, readFile);
  const secret = read.pattern('LAB_SECRET', SECRET_PATTERN, SECRET_RULE);
  if (secret === undefined) throw new ConfigError('LAB_SECRET', '', `${SECRET_RULE} (or LAB_SECRET_FILE); \`npm run lab\` sets one`);
  return secret;
}
