import { signUpgradeIdentity, UpgradeIdentityVerifier, UPGRADE_IDENTITY_MAX_AGE_MS } from './upgrade-identity';

const SECRET = 'a-lab-secret-of-at-least-32-characters!!';

describe('UpgradeIdentityVerifier', () => {
  let now: number;
  let verifier: UpgradeIdentityVerifier;
  beforeEach(() => {
    now = 1_800_000_000_000;
    verifier = new UpgradeIdentityVerifier(SECRET, () => now);
  });

  it('accepts the user id the gateway signed', () => {
    expect(verifier.verify(signUpgradeIdentity(SECRET, 'u-42', now))).toBe('u-42');
  });

  it('refuses an identity signed with another secret', () => {
    expect(verifier.verify(signUpgradeIdentity('another-secret-of-at-least-32-characters', 'u-42', now))).toBeUndefined();
  });

  it('refuses a signed identity whose user id was changed', () => {
    const [, ...rest] = signUpgradeIdentity(SECRET, 'u-42', now).split('.');
    expect(verifier.verify(['u-1', ...rest].join('.'))).toBeUndefined();
  });

  it('refuses a replay of an identity it already accepted', () => {
    const value = signUpgradeIdentity(SECRET, 'u-42', now);
    expect(verifier.verify(value)).toBe('u-42');
    expect(verifier.verify(value)).toBeUndefined();
  });

  it('refuses an identity older than its maximum age', () => {
    const value = signUpgradeIdentity(SECRET, 'u-42', now - UPGRADE_IDENTITY_MAX_AGE_MS - 1);
    expect(verifier.verify(value)).toBeUndefined();
  });

  it('refuses absent, repeated or malformed headers', () => {
    expect(verifier.verify(undefined)).toBeUndefined();
    expect(verifier.verify(['a', 'b'])).toBeUndefined();
    expect(verifier.verify('u-42')).toBeUndefined();
  });
});
