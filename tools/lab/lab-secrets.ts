import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Where a lab keeps its secrets: the hop's (LAB_SECRET_FILE), the cookies' (SESSION_SECRET_FILE) and jwt mode's HS256 key (JWT_KEY_FILE). */
export interface LabSecretFiles {
  labSecretFile: string;
  sessionSecretFile: string;
  jwtSecretFile: string;
}

/**
 * Makes sure `dir` holds a lab secret, a session secret and a JWT secret (random, 256 bits, owner-only), and
 * keeps the ones already there: every process of a lab, and every restart of one, reads the same
 * set, so a restarted gateway logs nobody out and only its own processes can speak on the hop.
 */
export function ensureLabSecrets(dir: string): LabSecretFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { labSecretFile: path.join(dir, 'lab-secret'), sessionSecretFile: path.join(dir, 'session-secret'), jwtSecretFile: path.join(dir, 'jwt-secret') };
  for (const file of Object.values(files)) {
    if (existsSync(file) && readFileSync(file, 'utf8').trim().length >= 32) continue;
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  return files;
}

// `node dist/tools/lab/lab-secrets.js <dir>`: compose's one-shot `secrets` service.
if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node lab-secrets.js <dir>\n');
    process.exit(2);
  }
  const files = ensureLabSecrets(dir);
  process.stdout.write(`lab secrets ready in ${dir}: ${Object.values(files).map((file) => path.basename(file)).join(', ')}\n`);
}
