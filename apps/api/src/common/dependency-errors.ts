/** A backing service whose outage makes a request fail (503), as opposed to a bug (500). */
export type Dependency = 'redis' | 'database';

const REDIS_MESSAGES = [
  /Connection is closed/,
  /Stream isn't writeable/,
  /Command timed out/,
  /Reached the max retries per request limit/,
  /Redis not ready/,
];
const DATABASE_MESSAGES = [
  /Connection terminated/,
  /connect ECONNREFUSED/,
  /the database system is (starting up|shutting down)/,
  /terminating connection due to administrator command/,
];

/** SQLSTATE class 08 (connection exception) and 57P01-57P03 (server shutting down or starting up). */
const DATABASE_CODES = /^(08...|57P0[123])$/;

/**
 * Which dependency an error says is unreachable, or null for any other error. ioredis reports an unreachable server
 * with its own messages (the api's clients fail fast: no offline queue, a command timeout); pg and TypeORM with
 * connection errors and SQLSTATE codes (the driver's error may be wrapped).
 */
export function unavailableDependency(err: unknown): Dependency | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code ?? (err as { driverError?: { code?: unknown } }).driverError?.code;
  if (typeof code === 'string' && DATABASE_CODES.test(code)) return 'database';
  if (REDIS_MESSAGES.some((m) => m.test(err.message)) || err.name === 'MaxRetriesPerRequestError') return 'redis';
  if (DATABASE_MESSAGES.some((m) => m.test(err.message))) return 'database';
  return null;
}

const NAMES: Record<Dependency, string> = { redis: 'Redis', database: 'The database' };

/** The `{"error"}` text of a 503 caused by `dependency`. */
export function unavailableMessage(dependency: Dependency): string {
  return `${NAMES[dependency]} is unavailable right now: nothing was changed, try again shortly`;
}
