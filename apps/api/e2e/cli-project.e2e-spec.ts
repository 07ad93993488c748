import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectRole } from '@semaphore/models';
import { ProjectEntity, ProjectMemberEntity } from '@semaphore/persistence';
import { Factories, createTestDatabase, runCli, type TestDatabase } from '@semaphore/testing';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form backup JSON

const FIXTURE = readFileSync(join(__dirname, 'fixtures/upstream-backup.json'), 'utf8');

/** The fixture as this server exports it: with its template extensions (false by default). */
function fixtureAsExported(): Json {
  const backup = JSON.parse(FIXTURE) as Json;
  for (const t of backup.templates as Json[]) {
    Object.assign(t, { allow_override_branch_in_task: false, allow_parallel_tasks: false });
  }
  return backup;
}

/** `semaphore project export --project-id N > file.json` and `semaphore project import [--owner L] < file.json`. */
describe('semaphore CLI: project export and import', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let adminName: string;
  const projects = () => db.dataSource.getRepository(ProjectEntity);

  beforeAll(async () => {
    db = await createTestDatabase();
    const f = new Factories(db.dataSource);
    adminName = (await f.user({ admin: true })).username;
    await f.user({ admin: true }); // a later admin: the first one owns imports by default
    await f.user({ username: 'bob', email: 'bob@example.com' });
    const c = db.connection;
    env = {
      SEMAPHORE_DB_HOST: c.host,
      SEMAPHORE_DB_PORT: String(c.port),
      SEMAPHORE_DB_USER: c.username,
      SEMAPHORE_DB_PASS: c.password,
      SEMAPHORE_DB: c.database,
    };
  });

  afterAll(async () => {
    await db?.drop();
  });

  const ownerOf = async (projectId: number) =>
    (
      await db.dataSource.getRepository(ProjectMemberEntity).find({ where: { projectId }, relations: { user: true } })
    ).map((m) => [m.user?.username, m.role]);

  it('imports the upstream fixture from stdin and exports it back to stdout as one JSON line; export | import round trips', async () => {
    const imported = await runCli(['project', 'import'], env, FIXTURE);
    expect(imported).toMatchObject({ code: 0, stderr: [] });
    expect(imported.stdout).toEqual([
      expect.stringMatching(
        new RegExp(
          `^project (\\d+) "Upstream Demo" imported, owner ${adminName}; 4 access keys have no secret yet; ` +
            '2 schedules fire once the api \\(re\\)starts$',
        ),
      ),
    ]);
    const id = Number(/^project (\d+)/.exec(imported.stdout[0])?.[1]);
    expect(await ownerOf(id)).toEqual([[adminName, ProjectRole.Owner]]);

    const exported = await runCli(['project', 'export', '--project-id', String(id)], env);
    expect(exported).toMatchObject({ code: 0, stderr: [] });
    expect(exported.stdout).toHaveLength(1);
    expect(JSON.parse(exported.stdout[0])).toEqual(fixtureAsExported());

    // export | import --owner bob: a copy (its webhook aliases are in use here, so it gets new ones).
    const copy = await runCli(['project', 'import', '--owner', 'BOB'], env, `${exported.stdout[0]}\n`);
    expect(copy).toMatchObject({ code: 0, stderr: [] });
    expect(copy.stdout[0]).toMatch(
      /imported, owner bob; .*; 2 webhook aliases already in use were replaced by new ones$/,
    );
    const copyId = Number(/^project (\d+)/.exec(copy.stdout[0])?.[1]);
    expect(await ownerOf(copyId)).toEqual([['bob', ProjectRole.Owner]]);
    const again = JSON.parse(
      (await runCli(['project', 'export', '--project-id', String(copyId)], env)).stdout[0],
    ) as Json;
    const withoutAliases = (b: Json) => ({
      ...b,
      integration_aliases: [],
      integrations: b.integrations.map((i: Json) => ({ ...i, aliases: [] })),
    });
    expect(withoutAliases(again)).toEqual(withoutAliases(fixtureAsExported()));
  });

  it('fails with one clear line and a non-zero exit, creating nothing', async () => {
    const before = await projects().count();
    const bad = JSON.parse(FIXTURE) as Json;
    bad.templates[2].repository = 'x';
    const cases: [string[], string | undefined, string][] = [
      [
        ['project', 'import'],
        JSON.stringify(bad),
        'error: templates[2].repository: no repository named "x" in repositories',
      ],
      [
        ['project', 'import'],
        '{"meta":',
        expect.stringMatching(/^error: stdin is not valid JSON: /) as unknown as string,
      ],
      [['project', 'import'], '', 'error: no backup on stdin: semaphore project import < backup.json'],
      [['project', 'import'], '[]', 'error: the backup must be a JSON object (sent as application/json)'],
      [['project', 'import', '--owner', 'nobody'], FIXTURE, 'error: no user with login nobody'],
      [['project', 'export', '--project-id', '999999'], undefined, 'error: no project with id 999999'],
      [['project', 'export', '--project-id', 'abc'], undefined, 'error: --project-id must be a positive integer'],
    ];
    for (const [args, stdin, message] of cases) {
      const res = await runCli(args, env, stdin);
      expect({ args, code: res.code, stdout: res.stdout, stderr: res.stderr }).toEqual({
        args,
        code: 1,
        stdout: [],
        stderr: [message],
      });
    }
    expect(await projects().count()).toBe(before);
  });
});
