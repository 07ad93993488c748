import { join } from 'node:path';
import { ManagedProcess, baseProcessEnv, startApiStack, type ApiStack } from '@semaphore/testing';

/** The scripted newcomer flow of issue 3 (scripts/newcomer-flow.sh), run with curl against a real api process. */
describe('newcomer flow', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates an admin with the CLI, logs in with curl, builds a project with a token and tears it down', async () => {
    const db = stack.db.connection;
    const script = new ManagedProcess('bash', [join(__dirname, '../../../scripts/newcomer-flow.sh')], {
      ...baseProcessEnv(),
      BASE_URL: stack.baseUrl,
      SEMAPHORE_DB_HOST: db.host,
      SEMAPHORE_DB_PORT: String(db.port),
      SEMAPHORE_DB_USER: db.username,
      SEMAPHORE_DB_PASS: db.password,
      SEMAPHORE_DB: db.database,
      ...(process.env.SEMAPHORE_TEST_DIST ? { SEMAPHORE_TEST_DIST: process.env.SEMAPHORE_TEST_DIST } : {}),
    });
    const exit = await script.exited;
    const output = [...script.stdout, ...script.stderr].join('\n');
    // On failure, show the whole transcript.
    expect(exit.code === 0 ? 'exit 0' : `exit ${exit.code}\n${output}`).toBe('exit 0');
    expect(script.stdout).toContain('newcomer flow: ok');
    expect(output).toContain('DELETE key still used by the repository (refused) -> 400');
  }, 60_000);
});
