import { Inject, Injectable } from '@nestjs/common';
import { scrypt, timingSafeEqual } from 'node:crypto';
import { LAB_CONFIG, LabConfig } from '@app/config';
import { readFixture, SessionUser, UsersFixture } from '@app/contracts';

interface StoredCredential {
  user: SessionUser;
  salt: Buffer;
  hash: Buffer;
}

/** Demo accounts from the committed fixture: salted scrypt hashes, never a password. */
@Injectable()
export class CredentialsService {
  private readonly params: UsersFixture['scrypt'];
  private readonly byUsername = new Map<string, StoredCredential>();
  /** Hashed against when the username is unknown, so both paths cost the same. */
  private readonly decoy: StoredCredential;

  constructor(@Inject(LAB_CONFIG) config: LabConfig) {
    const fixture = readFixture<UsersFixture>('users.json');
    this.params = fixture.scrypt;
    for (const record of fixture.users.slice(0, config.demoUsers)) {
      this.byUsername.set(record.username, {
        user: { userId: record.userId, username: record.username },
        salt: Buffer.from(record.salt, 'base64'),
        hash: Buffer.from(record.hash, 'base64'),
      });
    }
    const first = fixture.users[0];
    this.decoy = { user: { userId: '', username: '' }, salt: Buffer.from(first.salt, 'base64'), hash: Buffer.alloc(this.params.keylen) };
  }

  /** The user when the password matches; null otherwise (unknown user or wrong password alike). */
  async verify(username: string, password: string): Promise<SessionUser | null> {
    const known = this.byUsername.get(username);
    const credential = known ?? this.decoy;
    const derived = await new Promise<Buffer>((resolve, reject) =>
      scrypt(password, credential.salt, this.params.keylen, { N: this.params.N, r: this.params.r, p: this.params.p, maxmem: this.params.maxmem }, (error, key) =>
        error ? reject(error) : resolve(key),
      ),
    );
    return known && timingSafeEqual(derived, credential.hash) ? known.user : null;
  }
}
