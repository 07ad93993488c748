import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of one-time per-runner registration tokens (newest upstream). */
export const REGISTRATION_TOKEN_PREFIX = 'smrs_';
/** How long a one-time registration token is valid. */
export const REGISTRATION_TOKEN_TTL_MS = 60 * 60 * 1000;

/** A runner's auth token: 32 random bytes, base64 as upstream. Only its SHA-256 is stored. */
export function newRunnerToken(): string {
  return randomBytes(32).toString('base64');
}

export function newRegistrationToken(): string {
  return `${REGISTRATION_TOKEN_PREFIX}${randomBytes(32).toString('hex')}`;
}

/** Unsalted SHA-256 hex: tokens are 256-bit random values, so a salt adds nothing and lookups stay indexed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two secrets of any length (both are hashed first, so lengths do not leak). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}
