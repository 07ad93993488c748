import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startApiStack, type ApiStack } from '@semaphore/testing';

const REGISTRATION_TOKEN = 'runner-cli-registration-token-01';

const cli = runCli;

/** `semaphore runner register` and `semaphore runner unregister`. */
describe('semaphore runner register / unregister', () => {
  let stack: ApiStack;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'semtest-runner-cli-'));
    env = {
      SEMAPHORE_API_URL: stack.baseUrl,
      SEMAPHORE_RUNNER_NAME: 'edge-1',
      SEMAPHORE_RUNNER_TAGS: 'edge',
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
      SEMAPHORE_RUNNER_TOKEN_FILE: join(dir, 'runner.token'),
    };
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers once (token file 0600), knows it is registered, then unregisters and forgets', async () => {
    const { client: admin } = await stack.withToken({ admin: true });
    const listed = async () => (await admin.get<Array<{ name: string; tags: string[] }>>('/api/runners')).body;

    const first = await cli(['runner', 'register'], env);
    expect(first).toMatchObject({
      code: 0,
      stdout: [expect.stringMatching(/^runner edge-1 registered \(id \d+\); token in /)],
    });
    expect(statSync(env.SEMAPHORE_RUNNER_TOKEN_FILE).mode & 0o777).toBe(0o600);
    expect(await listed()).toEqual([expect.objectContaining({ name: 'edge-1', tags: ['edge'] })]);

    const again = await cli(['runner', 'register'], env);
    expect(again).toMatchObject({ code: 0, stdout: [expect.stringMatching(/is registered already/)] });
    expect(await listed()).toHaveLength(1);

    const gone = await cli(['runner', 'unregister'], env);
    expect(gone).toMatchObject({
      code: 0,
      stdout: [expect.stringMatching(/^runner edge-1 \(id \d+\) unregistered; .* removed$/)],
    });
    expect(existsSync(env.SEMAPHORE_RUNNER_TOKEN_FILE)).toBe(false);
    expect(await listed()).toEqual([]);

    const twice = await cli(['runner', 'unregister'], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr.join('\n')).toMatch(/not registered/);
  });

  it('a wrong registration token is refused and writes nothing', async () => {
    const res = await cli(['runner', 'register'], {
      ...env,
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: 'a-wrong-registration-token',
      SEMAPHORE_RUNNER_TOKEN_FILE: join(dir, 'other.token'),
    });
    expect(res.code).toBe(1);
    expect(res.stderr.join('\n')).toMatch(/registration refused: 400/);
    expect(existsSync(join(dir, 'other.token'))).toBe(false);
  });
});
