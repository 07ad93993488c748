import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AccessKeyType } from '@semaphore/models';

/**
 * Encryption at rest of access key secrets, environment secrets and TOTP secrets (SECURITY.md §4).
 *
 * Algorithm: AES-256-GCM, a fresh random 96-bit nonce per encryption, 128-bit tag, no associated data.
 * Stored format (one string, standard base64 with padding):
 *
 *     base64( nonce (12 bytes) || ciphertext (same length as the UTF-8 plaintext) || tag (16 bytes) )
 *
 * This is byte-for-byte the format of upstream Semaphore (`gcm.Seal(nonce, nonce, plaintext, nil)`, base64), so secrets
 * written by upstream with the same `access_key_encryption` key decrypt here. Upstream's unencrypted fallback (plain
 * base64 when no key is configured) is deliberately not supported: a key is mandatory.
 *
 * Decryption authenticates before returning anything: a wrong key, a modified or truncated value or a value that is not
 * base64 throws `SecretDecryptionError`; it never returns garbage.
 */

/** The configuration variable holding the base64 key, named in every configuration error. */
export const ACCESS_KEY_ENCRYPTION_VARIABLE = 'SEMAPHORE_ACCESS_KEY_ENCRYPTION';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The encryption key is missing or is not the base64 of exactly 32 bytes. */
export class SecretKeyConfigError extends Error {
  readonly code = 'SECRET_KEY_CONFIG_INVALID';
  readonly variable = ACCESS_KEY_ENCRYPTION_VARIABLE;

  constructor(problem: string) {
    super(
      `${ACCESS_KEY_ENCRYPTION_VARIABLE} ${problem}: it must be the base64 encoding of exactly ${KEY_BYTES} random bytes ` +
        '(e.g. `head -c32 /dev/urandom | base64`)',
    );
    this.name = 'SecretKeyConfigError';
  }
}

export enum SecretDecryptionErrorCode {
  /** Not strict base64, or shorter than nonce + tag: truncated or not an encrypted secret at all. */
  Malformed = 'SECRET_MALFORMED',
  /** The GCM tag does not verify: the key is wrong or the nonce, ciphertext or tag were changed. */
  AuthenticationFailed = 'SECRET_AUTHENTICATION_FAILED',
  /** It decrypted, but the plaintext is not what the caller expects (invalid UTF-8, not the expected JSON shape). */
  InvalidPayload = 'SECRET_INVALID_PAYLOAD',
}

const DECRYPTION_MESSAGES: Readonly<Record<SecretDecryptionErrorCode, string>> = {
  [SecretDecryptionErrorCode.Malformed]:
    'the stored value is not valid base64 or is too short: the data was truncated or tampered with',
  [SecretDecryptionErrorCode.AuthenticationFailed]: `the encryption key (${ACCESS_KEY_ENCRYPTION_VARIABLE}) is wrong or the data was tampered with`,
  [SecretDecryptionErrorCode.InvalidPayload]:
    'the decrypted value does not have the expected format: the data was tampered with or belongs to another field',
};

/** A stored secret could not be decrypted. The message never contains the stored value or any plaintext. */
export class SecretDecryptionError extends Error {
  constructor(readonly code: SecretDecryptionErrorCode) {
    super(`Cannot decrypt secret: ${DECRYPTION_MESSAGES[code]}`);
    this.name = 'SecretDecryptionError';
  }
}

/** Secret of an `ssh` access key, stored as this JSON (upstream key order). */
export interface SshKeySecret {
  login: string;
  passphrase: string;
  private_key: string;
}

/** Secret of a `login_password` access key, stored as this JSON. */
export interface LoginPasswordSecret {
  login: string;
  password: string;
}

/** The plaintext secret of an access key, by type (`none` keys have none). `string` is stored raw, the others as JSON. */
export type AccessKeySecret =
  | { type: AccessKeyType.Ssh; value: SshKeySecret }
  | { type: AccessKeyType.LoginPassword; value: LoginPasswordSecret }
  | { type: AccessKeyType.String; value: string };

export class SecretCipher {
  // An ES private field: the key does not show up in util.inspect, JSON.stringify or a logged object.
  readonly #key: Buffer;

  /** @param key the decoded 32-byte key, or its base64 text as found in SEMAPHORE_ACCESS_KEY_ENCRYPTION */
  constructor(key: Buffer | string) {
    this.#key = typeof key === 'string' ? decodeKey(key) : checkKeyLength(Buffer.from(key));
  }

  encrypt(plaintext: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, nonce, { authTagLength: TAG_BYTES });
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
  }

  /** @throws SecretDecryptionError */
  decrypt(stored: string): string {
    const plaintext = this.decryptToBuffer(stored);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
    } catch {
      throw new SecretDecryptionError(SecretDecryptionErrorCode.InvalidPayload);
    } finally {
      plaintext.fill(0);
    }
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  /** @throws SecretDecryptionError (InvalidPayload when the plaintext is not JSON) */
  decryptJson(stored: string): unknown {
    const text = this.decrypt(stored);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SecretDecryptionError(SecretDecryptionErrorCode.InvalidPayload);
    }
  }

  /** Only the three known fields are stored, in upstream's order. */
  encryptSshKey(secret: SshKeySecret): string {
    return this.encryptJson({ login: secret.login, passphrase: secret.passphrase, private_key: secret.private_key });
  }

  decryptSshKey(stored: string): SshKeySecret {
    const value = this.decryptJson(stored);
    return {
      login: stringField(value, 'login'),
      passphrase: stringField(value, 'passphrase'),
      private_key: stringField(value, 'private_key'),
    };
  }

  encryptLoginPassword(secret: LoginPasswordSecret): string {
    return this.encryptJson({ login: secret.login, password: secret.password });
  }

  decryptLoginPassword(stored: string): LoginPasswordSecret {
    const value = this.decryptJson(stored);
    return { login: stringField(value, 'login'), password: stringField(value, 'password') };
  }

  /** The value for `access_key.secret`. */
  encryptAccessKeySecret(secret: AccessKeySecret): string {
    switch (secret.type) {
      case AccessKeyType.Ssh:
        return this.encryptSshKey(secret.value);
      case AccessKeyType.LoginPassword:
        return this.encryptLoginPassword(secret.value);
      case AccessKeyType.String:
        return this.encrypt(secret.value);
    }
  }

  /** The plaintext secret of an access key; null for `none` keys and keys without a stored secret. */
  decryptAccessKeySecret(type: AccessKeyType, stored: string | null): AccessKeySecret | null {
    if (stored === null || stored === '') return null;
    switch (type) {
      case AccessKeyType.Ssh:
        return { type, value: this.decryptSshKey(stored) };
      case AccessKeyType.LoginPassword:
        return { type, value: this.decryptLoginPassword(stored) };
      case AccessKeyType.String:
        return { type, value: this.decrypt(stored) };
      case AccessKeyType.None:
        return null;
    }
  }

  private decryptToBuffer(stored: string): Buffer {
    if (typeof stored !== 'string' || !STRICT_BASE64.test(stored)) {
      throw new SecretDecryptionError(SecretDecryptionErrorCode.Malformed);
    }
    const raw = Buffer.from(stored, 'base64');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SecretDecryptionError(SecretDecryptionErrorCode.Malformed);
    const nonce = raw.subarray(0, NONCE_BYTES);
    const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, this.#key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new SecretDecryptionError(SecretDecryptionErrorCode.AuthenticationFailed);
    }
  }
}

function decodeKey(base64: string): Buffer {
  const text = base64.trim();
  if (text === '') throw new SecretKeyConfigError('is empty');
  if (!STRICT_BASE64.test(text)) throw new SecretKeyConfigError('is not valid base64');
  return checkKeyLength(Buffer.from(text, 'base64'));
}

function checkKeyLength(key: Buffer): Buffer {
  if (key.length !== KEY_BYTES) throw new SecretKeyConfigError(`decodes to ${key.length} bytes, not ${KEY_BYTES}`);
  return key;
}

function stringField(value: unknown, field: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SecretDecryptionError(SecretDecryptionErrorCode.InvalidPayload);
  }
  const item: unknown = (value as Record<string, unknown>)[field];
  if (item === undefined) return ''; // a missing field decodes to Go's zero value upstream
  if (typeof item !== 'string') throw new SecretDecryptionError(SecretDecryptionErrorCode.InvalidPayload);
  return item;
}
