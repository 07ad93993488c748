export interface NewUserInput {
  login: string;
  name: string;
  email: string;
  password: string;
}

const LOGIN_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

/** Returns the first problem with a new user's fields, naming the field, or null when they are valid. */
export function validateNewUser(input: NewUserInput): string | null {
  if (!input.login) return 'login is required';
  if (!LOGIN_RE.test(input.login)) return 'login may contain letters, digits and . _ @ - (up to 255 characters)';
  if (!input.name || !input.name.trim()) return 'name is required';
  if (input.name.length > 255) return 'name must be at most 255 characters';
  if (!input.email) return 'email is required';
  if (input.email.length > 255 || !EMAIL_RE.test(input.email)) return 'email must be an e-mail address';
  if (!input.password) return 'password is required';
  if (input.password.length < 8) return 'password must be at least 8 characters';
  if (Buffer.byteLength(input.password) > 72) return 'password must be at most 72 bytes (bcrypt limit)';
  return null;
}
