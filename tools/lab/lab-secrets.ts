import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Where a lab keeps its secrets: the hop's (LAB_SECRET_FILE) and the cookies' (SESSION_SECRET_FILE). */
export interface LabSecretFiles {
  labSecretFile: string;
  sessionSecretFile: string;
}

/**
 * Makes sure `dir` holds a lab secret and a session secret (random, 256 bits, owner-only), and
 * keeps the ones already there: every process of a lab, and every restart of one, reads the same
 * pair, so a restarted gateway logs nobody out and only its own processes can speak on the hop.
 */
export function ensureLabSecrets(dir: string): LabSecretFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { labSecretFile: path.join(dir, 'lab-secret'), sessionSecretFile: path.join(dir, 'session-secret') };
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
  process.stdout.write(`lab secrets ready in ${dir}: ${path.basename(files.labSecretFile)}, ${path.basename(files.sessionSecretFile)}\n`);
}
