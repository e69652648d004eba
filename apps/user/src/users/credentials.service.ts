import { Inject, Injectable } from '@nestjs/common';
import { scrypt, timingSafeEqual } from 'node:crypto';
import { LAB_CONFIG, LabConfig } from '@app/config';
import { ErrorCodes, labError, readFixture, SessionUser, UsersFixture } from '@app/contracts';
import { ReplicaFaultState } from '@app/replica';
import { HashQueueFullError, HashSlots } from './hash-slots';

/** One scrypt at a time per replica, and at most this many logins waiting for it. */
const CONCURRENT_HASHES = 1;
const WAITING_HASHES = 64;

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
  private readonly slots: HashSlots;

  constructor(
    @Inject(LAB_CONFIG) config: LabConfig,
    private readonly faults: ReplicaFaultState,
  ) {
    // A login waits for a slot at most half the gateway's call timeout: busy is answered, not timed out.
    this.slots = new HashSlots(CONCURRENT_HASHES, WAITING_HASHES, config.rpcTimeoutMs / 2);
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
    const derived = await this.slots
      .run(
        () =>
          new Promise<Buffer>((resolve, reject) =>
            scrypt(password, credential.salt, this.params.keylen, { N: this.params.N, r: this.params.r, p: this.params.p, maxmem: this.params.maxmem }, (error, key) =>
              error ? reject(error) : resolve(key),
            ),
          ),
      )
      .catch((error: unknown) => {
        if (error instanceof HashQueueFullError) throw labError(503, ErrorCodes.loginBusy, 'too many logins at once; retry in a moment');
        throw error;
      });
    const slow = this.faults.loginSlowMs(); // the lab's `login.slow` fault
    if (slow > 0) await new Promise((resolve) => setTimeout(resolve, slow));
    return known && timingSafeEqual(derived, credential.hash) ? known.user : null;
  }
}
