import { createCipheriv, randomBytes } from 'node:crypto';
import { AccessKeyType } from '@semaphore/models';
import { SecretCipher, SecretDecryptionError, SecretDecryptionErrorCode, SecretKeyConfigError } from './secret-cipher';

const KEY = randomBytes(32);
const cipher = new SecretCipher(KEY);

/** Flips one bit of the decoded stored value at `index` (negative = from the end) and re-encodes it. */
function flipBit(stored: string, index: number): string {
  const raw = Buffer.from(stored, 'base64');
  raw[index < 0 ? raw.length + index : index] ^= 0x01;
  return raw.toString('base64');
}

function decryptionError(fn: () => unknown): SecretDecryptionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretDecryptionError);
    return error as SecretDecryptionError;
  }
  throw new Error('expected a SecretDecryptionError, nothing was thrown');
}

describe('SecretCipher', () => {
  it.each([
    ['ascii', 'hunter2'],
    ['empty string', ''],
    ['unicode', 'pässwörd – 秘密 🔑 \u0000 end'],
    ['multi-line private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'],
    ['large', 'x'.repeat(100_000)],
  ])('round-trips %s', (_name, plaintext) => {
    expect(cipher.decrypt(cipher.encrypt(plaintext))).toBe(plaintext);
  });

  it('writes base64(nonce(12) || ciphertext || tag(16)), never the plaintext', () => {
    const stored = cipher.encrypt('hunter2');
    expect(stored).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(stored, 'base64')).toHaveLength(12 + 'hunter2'.length + 16);
    expect(stored).not.toContain('hunter2');
    expect(Buffer.from(stored, 'base64').toString('latin1')).not.toContain('hunter2');
  });

  it('uses a random nonce: two encryptions of the same plaintext differ', () => {
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64').subarray(0, 12)).not.toEqual(Buffer.from(b, 'base64').subarray(0, 12));
    expect(cipher.decrypt(a)).toBe('same');
    expect(cipher.decrypt(b)).toBe('same');
  });

  it('accepts the key as base64 text, interoperable with the Buffer form', () => {
    const fromText = new SecretCipher(KEY.toString('base64'));
    expect(fromText.decrypt(cipher.encrypt('x'))).toBe('x');
    expect(cipher.decrypt(fromText.encrypt('y'))).toBe('y');
  });

  it('decrypts the upstream format (Go gcm.Seal(nonce, nonce, plaintext, nil), base64)', () => {
    // Laid out exactly as upstream does: the nonce, then the ciphertext with the GCM tag appended.
    const nonce = randomBytes(12);
    const gcm = createCipheriv('aes-256-gcm', KEY, nonce);
    const sealed = Buffer.concat([
      nonce,
      gcm.update('{"login":"a","password":"b"}', 'utf8'),
      gcm.final(),
      gcm.getAuthTag(),
    ]);
    expect(cipher.decryptLoginPassword(sealed.toString('base64'))).toEqual({ login: 'a', password: 'b' });
  });

  describe('tampering', () => {
    const stored = cipher.encrypt('top secret value');
    const padded = cipher.encrypt('x'); // 29 bytes: base64 ends with '='

    it.each([
      ['the nonce', 0],
      ['the nonce (last byte)', 11],
      ['the ciphertext body', 12],
      ['the ciphertext body (last byte)', -17],
      ['the tag', -16],
      ['the tag (last byte)', -1],
    ])('a change in %s is detected', (_part, index) => {
      const error = decryptionError(() => cipher.decrypt(flipBit(stored, index)));
      expect(error.code).toBe(SecretDecryptionErrorCode.AuthenticationFailed);
      expect(error.message).toMatch(/key .*is wrong or the data was tampered with/);
      expect(error.message).toContain('SEMAPHORE_ACCESS_KEY_ENCRYPTION');
      expect(error.message).not.toContain(stored);
    });

    it('a truncated value is refused', () => {
      const raw = Buffer.from(stored, 'base64');
      const dropTag = decryptionError(() => cipher.decrypt(raw.subarray(0, raw.length - 1).toString('base64')));
      expect(dropTag.code).toBe(SecretDecryptionErrorCode.AuthenticationFailed);
      const tooShort = decryptionError(() => cipher.decrypt(raw.subarray(0, 27).toString('base64')));
      expect(tooShort.code).toBe(SecretDecryptionErrorCode.Malformed);
      expect(tooShort.message).toMatch(/tampered with/);
      expect(decryptionError(() => cipher.decrypt('')).code).toBe(SecretDecryptionErrorCode.Malformed);
    });

    it.each([
      ['not base64 at all', 'this is not base64!'],
      ['base64 with a stray character', `${stored.slice(0, 8)}*${stored.slice(9)}`],
      ['missing padding', padded.replace(/=+$/, '')],
      ['url-safe alphabet', stored.replace(/\+/g, '-').replace(/\//g, '_') + '-_'],
      ['plaintext that upstream stored without a key', Buffer.from('hunter2').toString('base64')],
    ])('%s is refused', (_name, value) => {
      const error = decryptionError(() => cipher.decrypt(value));
      expect([SecretDecryptionErrorCode.Malformed, SecretDecryptionErrorCode.AuthenticationFailed]).toContain(
        error.code,
      );
    });

    it('a wrong key is refused', () => {
      const other = new SecretCipher(randomBytes(32));
      const error = decryptionError(() => other.decrypt(stored));
      expect(error.code).toBe(SecretDecryptionErrorCode.AuthenticationFailed);
      expect(error.message).toContain('is wrong');
    });
  });

  describe('key configuration', () => {
    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['not base64', 'not-base64-at-all!!'],
      ['16 bytes', randomBytes(16).toString('base64')],
      ['33 bytes', randomBytes(33).toString('base64')],
      ['a raw 32-character passphrase', 'abcdefghijklmnopqrstuvwxyz012345'],
    ])('refuses a key that is %s, naming SEMAPHORE_ACCESS_KEY_ENCRYPTION', (_name, key) => {
      expect(() => new SecretCipher(key)).toThrow(SecretKeyConfigError);
      expect(() => new SecretCipher(key)).toThrow(/SEMAPHORE_ACCESS_KEY_ENCRYPTION/);
    });

    it('a Buffer of the wrong length is refused', () => {
      expect(() => new SecretCipher(Buffer.alloc(31))).toThrow(/SEMAPHORE_ACCESS_KEY_ENCRYPTION decodes to 31 bytes/);
    });

    it('does not keep a reference to the caller-owned buffer, nor expose the key', () => {
      const key = randomBytes(32);
      const own = new SecretCipher(key);
      const stored = own.encrypt('v');
      key.fill(0);
      expect(own.decrypt(stored)).toBe('v');
      expect(JSON.stringify(own)).toBe('{}');
      expect(Object.values(own)).toHaveLength(0);
    });
  });

  describe('JSON secrets', () => {
    it('round-trips an ssh key, storing only the known fields in upstream order', () => {
      const ssh = { login: 'deploy', passphrase: 'pä$$', private_key: '-----BEGIN KEY-----\nabc\n' };
      const withExtraField = { ...ssh, extra: 'dropped' };
      const stored = cipher.encryptSshKey(withExtraField);
      expect(cipher.decrypt(stored)).toBe(JSON.stringify(ssh));
      expect(cipher.decryptSshKey(stored)).toEqual(ssh);
    });

    it('round-trips login_password and arbitrary JSON', () => {
      const stored = cipher.encryptLoginPassword({ login: 'u', password: 'p' });
      expect(cipher.decrypt(stored)).toBe('{"login":"u","password":"p"}');
      expect(cipher.decryptLoginPassword(stored)).toEqual({ login: 'u', password: 'p' });
      expect(cipher.decryptJson(cipher.encryptJson({ a: [1, 'b'] }))).toEqual({ a: [1, 'b'] });
    });

    it('refuses a plaintext of the wrong shape with InvalidPayload', () => {
      const cases = [
        cipher.encrypt('not json'),
        cipher.encryptJson([1]),
        cipher.encryptJson({ login: 1, password: 'p' }),
      ];
      for (const stored of cases) {
        expect(decryptionError(() => cipher.decryptLoginPassword(stored)).code).toBe(
          SecretDecryptionErrorCode.InvalidPayload,
        );
      }
      // An older row may lack a field: Go's zero value.
      expect(cipher.decryptLoginPassword(cipher.encryptJson({ password: 'p' }))).toEqual({ login: '', password: 'p' });
    });

    it('tampering with a JSON secret is detected before parsing', () => {
      const stored = cipher.encryptSshKey({ login: 'a', passphrase: '', private_key: 'k' });
      expect(decryptionError(() => cipher.decryptSshKey(flipBit(stored, 20))).code).toBe(
        SecretDecryptionErrorCode.AuthenticationFailed,
      );
    });

    it('encrypts and decrypts access key secrets by type', () => {
      const ssh = { login: 'l', passphrase: 'p', private_key: 'k' };
      const stored = cipher.encryptAccessKeySecret({ type: AccessKeyType.Ssh, value: ssh });
      expect(cipher.decryptAccessKeySecret(AccessKeyType.Ssh, stored)).toEqual({ type: AccessKeyType.Ssh, value: ssh });

      const lp = cipher.encryptAccessKeySecret({
        type: AccessKeyType.LoginPassword,
        value: { login: '', password: 'x' },
      });
      expect(cipher.decryptAccessKeySecret(AccessKeyType.LoginPassword, lp)).toEqual({
        type: AccessKeyType.LoginPassword,
        value: { login: '', password: 'x' },
      });

      const str = cipher.encryptAccessKeySecret({ type: AccessKeyType.String, value: 'raw' });
      expect(cipher.decrypt(str)).toBe('raw');
      expect(cipher.decryptAccessKeySecret(AccessKeyType.String, str)).toEqual({
        type: AccessKeyType.String,
        value: 'raw',
      });

      expect(cipher.decryptAccessKeySecret(AccessKeyType.None, null)).toBeNull();
      expect(cipher.decryptAccessKeySecret(AccessKeyType.Ssh, '')).toBeNull();
      expect(cipher.decryptAccessKeySecret(AccessKeyType.None, str)).toBeNull();
    });
  });
});
