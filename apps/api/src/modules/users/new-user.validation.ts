export interface NewUserInput {
  login: string;
  name: string;
  email: string;
  password: string;
}

/** Usernames: a letter or digit, then letters, digits and `. _ @ -` (so never an option-like leading `-`). */
export const LOGIN_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$/;
export const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;
export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt ignores everything past 72 bytes: refuse longer passwords instead of silently truncating them. */
export const PASSWORD_MAX_BYTES = 72;

/** Returns the first problem with a new user's fields, naming the field, or null when they are valid. */
export function validateNewUser(input: NewUserInput): string | null {
  if (!input.login) return 'login is required';
  if (!LOGIN_RE.test(input.login)) return 'login may contain letters, digits and . _ @ - (up to 255 characters)';
  if (!input.name || !input.name.trim()) return 'name is required';
  if (input.name.length > 255) return 'name must be at most 255 characters';
  if (!input.email) return 'email is required';
  if (input.email.length > 255 || !EMAIL_RE.test(input.email)) return 'email must be an e-mail address';
  if (!input.password) return 'password is required';
  return passwordProblem(input.password);
}

/** The problem with a new password, naming the field, or null. */
export function passwordProblem(password: string, field = 'password'): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `${field} must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (Buffer.byteLength(password) > PASSWORD_MAX_BYTES)
    return `${field} must be at most ${PASSWORD_MAX_BYTES} bytes (bcrypt limit)`;
  return null;
}
