/** Names of fields whose values never reach a log line, at any of the first few nesting levels. */
export const SECRET_FIELD_NAMES = [
  'password',
  'pass',
  'passphrase',
  'private_key',
  'privateKey',
  'secret',
  'token',
  'auth_secret',
  'registration_token',
  'accessToken',
  'access_token',
] as const;

const HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-runner-token"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/** pino `redact.paths`: the headers above plus every secret field name at depth 0 to 3. */
export function redactPaths(): string[] {
  const paths: string[] = [...HEADER_PATHS];
  for (const field of SECRET_FIELD_NAMES) {
    paths.push(field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`);
  }
  return paths;
}

export const REDACTED = '[redacted]';
