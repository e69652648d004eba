import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadGatewayConfig, loadHopSecret } from '@app/config';
import { ensureLabSecrets } from './lab-secrets';

describe('ensureLabSecrets()', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'statelab-secrets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes three owner-only random secrets that the lab reads through its *_FILE variables', () => {
    const files = ensureLabSecrets(path.join(dir, 'run'));
    expect(statSync(files.labSecretFile).mode & 0o777).toBe(0o600);
    const hop = loadHopSecret({ LAB_SECRET_FILE: files.labSecretFile });
    const session = loadGatewayConfig({ SESSION_SECRET_FILE: files.sessionSecretFile }).sessionSecrets.current;
    expect(hop).toHaveLength(43);
    expect(session).toHaveLength(43);
    expect(hop).not.toBe(session);
    const jwt = loadGatewayConfig({ JWT_KEY_FILE: files.jwtSecretFile }).jwt.key;
    expect(jwt).toEqual({ alg: 'HS256', secret: expect.stringMatching(/^[\w-]{43}$/) });
    expect(jwt).not.toEqual({ alg: 'HS256', secret: session });
  });

  it('keeps the secrets already there, so restarts read the same ones', () => {
    const first = ensureLabSecrets(dir);
    const before = readFileSync(first.labSecretFile, 'utf8');
    const second = ensureLabSecrets(dir);
    expect(readFileSync(second.labSecretFile, 'utf8')).toBe(before);
  });
});
