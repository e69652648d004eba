import { readFileSync } from 'node:fs';
import { ConfigError, Env, EnvReader } from './env';

const SECRET_PATTERN = /^[\x21-\x7e]{32,512}$/;
const SECRET_RULE = '32 to 512 printable ASCII characters';

/**
 * The lab secret that authenticates the internal TCP hop: LAB_SECRET, or the first line of the
 * file LAB_SECRET_FILE names (compose shares one through a volume). The gateway and every
 * replica need the same one; the native launcher generates one per lab run. Missing or weak,
 * the process does not start: an open hop lets any local process read sessions and write carts.
 */
export function loadHopSecret(env: Env, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): string {
  const read = new EnvReader(env);
  const file = read.raw('LAB_SECRET_FILE');
  if (file !== undefined) {
    let content: string;
    try {
      content = readFile(file);
    } catch (error) {
      throw new ConfigError('LAB_SECRET_FILE', file, `a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    const secret = content.split('\n')[0].trim();
    if (!SECRET_PATTERN.test(secret)) throw new ConfigError('LAB_SECRET_FILE', file, `a file whose first line is ${SECRET_RULE}`);
    return secret;
  }
  const secret = read.pattern('LAB_SECRET', SECRET_PATTERN, SECRET_RULE);
  if (secret === undefined) throw new ConfigError('LAB_SECRET', '', `${SECRET_RULE} (or LAB_SECRET_FILE); \`npm run lab\` sets one`);
  return secret;
}
