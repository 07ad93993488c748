import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planRestore } from './backup-references';
import { BackupValidationError, parseBackupShape } from './backup-shape';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures are free-form JSON

const FIXTURE = join(__dirname, '../../../e2e/fixtures/upstream-backup.json');
const fixture = (): Json => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Json;

const plan = (body: unknown) => planRestore(parseBackupShape(body));

/** The message of the BackupValidationError the backup gives. */
function problem(body: unknown): string {
  try {
    plan(body);
  } catch (err) {
    if (err instanceof BackupValidationError) return err.message;
    throw err;
  }
  throw new Error('the backup was accepted');
}

/** The fixture with `change` applied. */
function changed(change: (b: Json) => void): Json {
  const b = fixture();
  change(b);
  return b;
}

describe('restore plan of a backup', () => {
  it('plans the upstream fixture: references resolve, deploy templates come last, defaults filled', () => {
    const p = plan(fixture());
    expect(p.project).toEqual({
      name: 'Upstream Demo',
      alert: true,
      alertChat: '-100123456',
      maxParallelTasks: 2,
      type: '',
    });
    expect(p.keys.map((k) => k.type)).toEqual(['none', 'login_password', 'ssh', 'login_password', 'login_password']);
    expect(p.templates.map((t) => t.name)).toEqual(['Build app', 'Plan infra', 'Deploy app']);
    const deploy = p.templates[2];
    expect(deploy).toMatchObject({
      buildTemplate: 'Build app',
      inventory: 'Prod',
      repository: 'Infra',
      environment: 'Production',
      view: 'Deploy',
      autorun: true,
      arguments: '["--diff"]',
      vaults: [
        { name: 'prod', vaultKey: 'vault password' },
        { name: null, vaultKey: 'vault password' },
      ],
      cron: null,
    });
    expect(deploy.surveyVars.map((v) => [v.name, v.type, v.values])).toEqual([
      ['version', '', null],
      [
        'target',
        'enum',
        [
          { name: 'Blue', value: 'blue' },
          { name: 'Green', value: 'green' },
        ],
      ],
      ['token', 'secret', null],
    ]);
    expect(p.templates[0]).toMatchObject({ suppressSuccessAlerts: true, cron: '0 3 * * *', startVersion: '1.0.0' });
    expect(p.templates[1]).toMatchObject({ app: 'terraform', playbook: '', cron: '*/30 * * * *' });
    expect(p.integrations[0]).toMatchObject({ authSecret: 'webhook secret', taskParams: null, template: 'Deploy app' });
    expect(p.integrations[0].matchers[1]).toEqual({
      name: 'push event',
      source: 'header',
      method: 'equals',
      bodyDataType: 'string',
      key: 'X-GitHub-Event',
      value: 'push',
    });
    expect(p.projectAliases).toEqual(['p0r1o2j3e4c5t6a7']);
  });

  it('accepts a minimal backup: absent or null sections are empty', () => {
    const p = plan({ meta: { name: 'Bare' }, keys: null });
    expect(p).toMatchObject({ keys: [], templates: [], integrations: [], projectAliases: [] });
    expect(p.project).toEqual({ name: 'Bare', alert: false, alertChat: null, maxParallelTasks: 0, type: '' });
  });

  it('ignores ids and unknown fields: a backup cannot point at rows of other projects', () => {
    const p = plan(
      changed((b) => {
        b.templates[0].repository_id = 999;
        b.templates[0].project_id = 7;
        b.keys[2].secret = 'x';
        b.keys[2].ssh = { private_key: 'stolen?' };
      }),
    );
    expect(p.templates[0]).not.toHaveProperty('repository_id');
    expect(p.templates[0].repository).toBe('Demo');
    expect(p.keys[2]).toEqual({ name: 'deploy ssh', type: 'ssh' });
  });

  it('accepts the deprecated templates[].vault_key as a vault without a name', () => {
    const p = plan(
      changed((b) => {
        b.templates[0].vault_key = 'vault password';
      }),
    );
    expect(p.templates[0].vaults).toEqual([{ name: null, vaultKey: 'vault password' }]);
    expect(problem(changed((b) => (b.templates[0].vault_key = 'gone')))).toBe(
      'templates[0].vault_key: no key named "gone" in keys',
    );
  });

  describe('refuses a wrong shape, naming the path', () => {
    it.each<[string, unknown, string]>([
      ['not an object', [1, 2], 'the backup must be a JSON object (sent as application/json)'],
      ['a string', 'backup', 'the backup must be a JSON object (sent as application/json)'],
      ['no meta', {}, 'meta: is required'],
      ['meta an array', { meta: [] }, 'meta: must be an object'],
      ['no project name', { meta: { name: '' } }, 'meta.name: must be 1 to 255 characters'],
      ['a section that is not a list', { meta: { name: 'x' }, templates: 'all' }, 'templates: must be a list'],
      ['items that are not objects', { meta: { name: 'x' }, keys: [1] }, 'keys: must be a list of objects'],
      ['nested lists', { meta: { name: 'x' }, keys: [[{ name: 'k' }]] }, 'keys: must be a list of objects'],
      [
        'too many items',
        { meta: { name: 'x' }, views: Array.from({ length: 5001 }, (_, i) => ({ title: `v${i}` })) },
        'views: must have at most 5000 items',
      ],
    ])('%s', (_, body, message) => expect(problem(body)).toBe(message));

    it.each<[string, (b: Json) => void, string]>([
      ['a number as a name', (b) => (b.keys[1].name = 5), 'keys[1].name: must be a string'],
      [
        'an unknown key type',
        (b) => (b.keys[0].type = 'rsa'),
        'keys[0].type: must be one of none, ssh, login_password',
      ],
      [
        'the internal string key type',
        (b) => (b.keys[0].type = 'string'),
        'keys[0].type: must be one of none, ssh, login_password',
      ],
      [
        'a control character',
        (b) => (b.views[1].title = 'De\u0000ploy'),
        'views[1].title: must not contain control characters',
      ],
      ['an overflowing integer', (b) => (b.views[0].position = 2 ** 40), 'views[0].position: must be a 32-bit integer'],
      ['a float', (b) => (b.meta.max_parallel_tasks = 1.5), 'meta.max_parallel_tasks: must be an integer'],
      [
        'an unknown inventory type',
        (b) => (b.inventories[0].type = 'dynamic'),
        'inventories[0].type: must be one of static, static-yaml, file, terraform-workspace, tofu-workspace',
      ],
      [
        'an unknown app',
        (b) => (b.templates[0].app = 'chef'),
        'templates[0].app: must be one of ansible, terraform, tofu, bash, powershell, python, pulumi, ssh, sftp',
      ],
      [
        'an unknown template type',
        (b) => (b.templates[0].type = 'release'),
        "templates[0].type: must be one of '', build, deploy",
      ],
      [
        'an unknown matcher method',
        (b) => (b.integrations[0].matchers[1].method = 'regex'),
        'integrations[0].matchers[1].method: must be one of equals, unequals, contains',
      ],
      [
        'a survey var without a name',
        (b) => (b.templates[1].survey_vars[2].name = ''),
        'templates[1].survey_vars[2].name: is required',
      ],
      [
        'env vars that are not strings',
        (b) => (b.environments[1].env = '{"N":1}'),
        'environments[1].env: must have string values only ("N" is not a string)',
      ],
      [
        'a credential in a git URL',
        (b) => (b.repositories[0].git_url = 'https://u:p@example.com/r.git'),
        expect.stringMatching(/^repositories\[0\]\.git_url: /) as unknown as string,
      ],
      [
        'a git branch starting with -',
        (b) => (b.templates[1].git_branch = '--upload-pack=x'),
        'templates[1].git_branch: must not start with "-"',
      ],
      [
        'arguments that are not a JSON array',
        (b) => (b.templates[1].arguments = '{"a":1}'),
        'templates[1].arguments: must be a JSON array of strings',
      ],
      [
        'a bad alias',
        (b) => (b.integration_aliases = ['../../x']),
        'integration_aliases: must hold aliases of 1-64 characters a-z A-Z 0-9 _ -',
      ],
      [
        'task params that are not an object',
        (b) => (b.integrations[0].task_params = [1]),
        'integrations[0].task_params: must be a JSON object',
      ],
    ])('%s', (_, change, message) => expect(problem(changed(change))).toEqual(message));
  });

  describe('refuses names and references that do not resolve', () => {
    it.each<[string, (b: Json) => void, string]>([
      ['a duplicate key', (b) => (b.keys[3].name = 'None'), 'keys[3].name: "None" is used twice (also keys[0])'],
      [
        'a duplicate view title',
        (b) => (b.views[1].title = 'Build'),
        'views[1].title: "Build" is used twice (also views[0])',
      ],
      [
        'a duplicate template',
        (b) => (b.templates[2].name = 'Build app'),
        'templates[2].name: "Build app" is used twice (also templates[0])',
      ],
      [
        'a missing repository',
        (b) => (b.templates[2].repository = 'x'),
        'templates[2].repository: no repository named "x" in repositories',
      ],
      ['a missing view', (b) => (b.templates[0].view = 'Ops'), 'templates[0].view: no view titled "Ops" in views'],
      [
        'a missing repository key',
        (b) => (b.repositories[1].ssh_key = 'gone'),
        'repositories[1].ssh_key: no key named "gone" in keys',
      ],
      [
        'a repository without key',
        (b) => delete b.repositories[1].ssh_key,
        'repositories[1].ssh_key: is required (the name of a key; "None" for public repositories)',
      ],
      [
        'a missing become key',
        (b) => (b.inventories[1].become_key = 'root'),
        'inventories[1].become_key: no key named "root" in keys',
      ],
      [
        'an ssh become key',
        (b) => (b.inventories[1].become_key = 'deploy ssh'),
        'inventories[1].become_key: key "deploy ssh" is of type ssh; become needs none or login_password',
      ],
      [
        'a missing vault key',
        (b) => (b.templates[1].vaults[1].vault_key = 'nope'),
        'templates[1].vaults[1].vault_key: no key named "nope" in keys',
      ],
      [
        'a vault name that is not a word',
        (b) => (b.templates[1].vaults[0].name = '-x@y'),
        'templates[1].vaults[0].name: may only contain letters, digits, "_", "." and "-" (not first)',
      ],
      [
        'a missing build template',
        (b) => (b.templates[1].build_template = 'Plan infra'),
        'templates[1].build_template: "Plan infra" is not a build template',
      ],
      [
        'a deploy template without build template',
        (b) => delete b.templates[1].build_template,
        'templates[1].build_template: is required for deploy templates',
      ],
      [
        'an ansible template without inventory',
        (b) => delete b.templates[0].inventory,
        'templates[0].inventory: is required for ansible templates',
      ],
      [
        'an ansible template without playbook',
        (b) => (b.templates[0].playbook = ''),
        'templates[0].playbook: is required (except for terraform and tofu)',
      ],
      [
        'a playbook outside the repository',
        (b) => (b.templates[0].playbook = '../../etc/passwd'),
        'templates[0].playbook: must stay inside the workspace (no ".." escape)',
      ],
      [
        'a bad cron',
        (b) => (b.templates[0].cron = '61 * * * *'),
        'templates[0].cron: end of range (61) above maximum (59): 61',
      ],
      [
        'a duplicate survey var',
        (b) => (b.templates[1].survey_vars[2].name = 'version'),
        'templates[1].survey_vars[2].name: "version" is used twice (also templates[1].survey_vars[0])',
      ],
      [
        'an enum survey var without values',
        (b) => (b.templates[1].survey_vars[1].values = []),
        'templates[1].survey_vars[1].values: must list the values of an enum',
      ],
      [
        'a missing integration template',
        (b) => (b.integrations[0].template = 'Gone'),
        'integrations[0].template: no template named "Gone" in templates',
      ],
      [
        'an auth method without secret',
        (b) => delete b.integrations[0].auth_secret,
        'integrations[0].auth_secret: is required when auth_method is github',
      ],
      [
        'an auth secret of the wrong type',
        (b) => (b.integrations[0].auth_secret = 'deploy ssh'),
        'integrations[0].auth_secret: key "deploy ssh" is of type ssh; a login_password key is needed',
      ],
      [
        'a matcher without key',
        (b) => (b.integrations[0].matchers[1].key = ''),
        'integrations[0].matchers[1].key: must name the header',
      ],
      [
        'an alias listed twice',
        (b) => (b.integration_aliases = ['a1b2c3d4e5f6g7h8']),
        'integration_aliases[0]: alias "a1b2c3d4e5f6g7h8" is listed twice (also integrations[0].aliases[0])',
      ],
      [
        'a missing local repository branch',
        (b) => (b.repositories[1].git_branch = ''),
        'repositories[1].git_branch: is required (except for local repositories)',
      ],
      [
        'a file inventory path with ..',
        (b) => (b.inventories[1].inventory = '../hosts'),
        'inventories[1].inventory: (a file path) must stay inside the workspace (no ".." escape)',
      ],
    ])('%s', (_, change, message) => expect(problem(changed(change))).toBe(message));

    it('quotes names safely and cuts long ones', () => {
      const long = 'x'.repeat(200);
      expect(problem(changed((b) => (b.templates[0].environment = long)))).toBe(
        `templates[0].environment: no environment named "${'x'.repeat(80)}..." in environments`,
      );
      expect(problem(changed((b) => (b.templates[0].environment = 'a"b\u0001')))).toBe(
        'templates[0].environment: no environment named "a\\"b\\u0001" in environments',
      );
    });
  });
});
