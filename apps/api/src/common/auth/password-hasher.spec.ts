import * as argon2 from 'argon2';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with the OWASP argon2id parameters (m=19456 KiB, t=2, p=1)', async () => {
    const hash = await hasher.hash('rider-password');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await hasher.verify(hash, 'rider-password')).toBe(true);
    expect(await hasher.verify(hash, 'wrong-password')).toBe(false);
  });

  it('still verifies hashes made with the library defaults before', async () => {
    const old = await argon2.hash('old-password', { type: argon2.argon2id });
    expect(old).toMatch(/m=65536,p=4,t=3/);
    expect(await hasher.verify(old, 'old-password')).toBe(true);
    expect(await hasher.verify(old, 'other')).toBe(false);
  });

  it('answers false, not an error, for a string that is no hash', async () => {
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
  });
});
