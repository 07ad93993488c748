import { randomBytes } from 'node:crypto';
import { utils } from 'ssh2';
import {
  AccessKeyType,
  AppId,
  EnvironmentSecretType,
  InventoryType,
  TaskStatus,
  TemplateType,
} from '@semaphore/models';
import type {
  AccessKeyEntity,
  EnvironmentEntity,
  InventoryEntity,
  RepositoryEntity,
  TaskEntity,
  TemplateEntity,
} from '@semaphore/persistence';
import { SecretCipher } from '../../crypto';
import { buildJobSpec, JobSpecError, keyMaterial, type ClaimContext } from './job-spec.builder';

const cipher = new SecretCipher(randomBytes(32));
const WEB = 'https://sem.example.com/';

function key(id: number, type: AccessKeyType, secret: string | null): AccessKeyEntity {
  return { id, projectId: 1, name: `key${id}`, type, secret, created: new Date() };
}

const sshKey = key(1, AccessKeyType.Ssh, cipher.encryptSshKey({ login: 'git', passphrase: 'pp', private_key: 'PK' }));
const vaultKey = key(2, AccessKeyType.LoginPassword, cipher.encryptLoginPassword({ login: '', password: 'vaultpw' }));
const becomeKey = key(3, AccessKeyType.LoginPassword, cipher.encryptLoginPassword({ login: 'root', password: 'bp' }));

const hostKey = utils.generateKeyPairSync('ed25519').public.trim();

function context(
  over: { task?: Partial<TaskEntity>; template?: Partial<TemplateEntity>; inventory?: Partial<InventoryEntity> } = {},
): ClaimContext {
  const repository = {
    id: 4,
    projectId: 1,
    name: 'r',
    gitUrl: 'file:///srv/repo.git',
    gitBranch: 'main',
    sshKeyId: 1,
    sshKey,
  } as RepositoryEntity;
  const environment = {
    id: 5,
    projectId: 1,
    name: 'e',
    password: null,
    json: '{"region":"eu","shared":"template"}',
    env: '{"APP_ENV":"prod","N":1}',
    secrets: [
      { id: 1, environmentId: 5, type: EnvironmentSecretType.Var, name: 'db_pass', secret: cipher.encrypt('s3cret') },
      { id: 2, environmentId: 5, type: EnvironmentSecretType.Env, name: 'API_TOKEN', secret: cipher.encrypt('tok') },
    ],
  } as EnvironmentEntity;
  const template = {
    id: 7,
    projectId: 1,
    name: 'Deploy site',
    app: AppId.Ansible,
    playbook: 'site.yml',
    arguments: '["--forks","2"]',
    allowOverrideArgsInTask: false,
    gitBranch: null,
    type: TemplateType.Default,
    taskParams: { plan: false },
    repository,
    environment,
    vaults: [{ id: 1, projectId: 1, templateId: 7, vaultKeyId: 2, name: null, vaultKey }],
    ...over.template,
  } as TemplateEntity;
  const task = {
    id: 42,
    templateId: 7,
    projectId: 1,
    status: TaskStatus.Waiting,
    debug: true,
    dryRun: false,
    diff: true,
    playbook: '',
    environment: '{"shared":"task","extra":1}',
    hostsLimit: 'web',
    arguments: '["-e","x=1"]',
    gitBranch: null,
    message: 'go',
    version: null,
    params: { __secret: cipher.encryptJson({ survey_pw: 'hunter2' }), auto_approve: true },
    ...over.task,
  } as TaskEntity;
  const inventory = {
    id: 3,
    projectId: 1,
    type: InventoryType.Static,
    inventory: 'localhost',
    sshKey,
    becomeKey,
    ...over.inventory,
  } as InventoryEntity;
  return { task, template, inventory, username: 'alice', buildVersion: null };
}

describe('buildJobSpec', () => {
  it('builds the spec with secrets decrypted and the survey secret stripped from params', () => {
    const spec = buildJobSpec(context(), { claimGeneration: 3, lastSeq: 5 }, cipher, WEB);
    expect(spec).toMatchObject({
      taskId: 42,
      projectId: 1,
      templateId: 7,
      claimGeneration: 3,
      firstSeq: 6,
      app: 'ansible',
      username: 'alice',
      playbook: 'site.yml',
      arguments: ['--forks', '2'],
      debug: true,
      diff: true,
      limit: 'web',
      repository: { url: 'file:///srv/repo.git', branch: 'main', knownHosts: [] },
      vaults: [{ name: 'default', password: 'vaultpw' }],
      params: { plan: false, auto_approve: true },
    });
    expect(spec.repository.key).toEqual({ type: 'ssh', login: 'git', privateKey: 'PK', passphrase: 'pp' });
    expect(spec.inventory?.becomeKey).toEqual({ type: 'login_password', login: 'root', password: 'bp' });
    expect(spec.extraVars).toEqual({
      shared: 'template',
      extra: 1,
      region: 'eu',
      survey_pw: 'hunter2',
      db_pass: 's3cret',
      semaphore_vars: {
        task_details: { id: 42, username: 'alice', url: `${WEB}project/1/history?t=42`, message: 'go' },
      },
    });
    expect(spec.env).toEqual({ APP_ENV: 'prod', N: '1', API_TOKEN: 'tok' });
    expect(JSON.stringify(spec.params)).not.toContain('__secret');
  });

  it('adds task arguments only when the template allows it, and prefers the task branch', () => {
    const spec = buildJobSpec(
      context({ template: { allowOverrideArgsInTask: true, gitBranch: 'tpl' }, task: { gitBranch: 'feature' } }),
      { claimGeneration: 1, lastSeq: 0 },
      cipher,
      WEB,
    );
    expect(spec.arguments).toEqual(['--forks', '2', '-e', 'x=1']);
    expect(spec.repository.branch).toBe('feature');
    expect(
      buildJobSpec(context({ template: { gitBranch: 'tpl' } }), { claimGeneration: 1, lastSeq: 0 }, cipher, WEB)
        .repository.branch,
    ).toBe('tpl');
  });

  it('marks build tasks with their target version', () => {
    const spec = buildJobSpec(
      context({ template: { type: TemplateType.Build }, task: { version: '1.0.3' } }),
      { claimGeneration: 1, lastSeq: 0 },
      cipher,
      WEB,
    );
    expect(spec.version).toBe('1.0.3');
    expect(spec.env).toMatchObject({ SEMAPHORE_TASK_TYPE: 'build', SEMAPHORE_TASK_TARGET_VERSION: '1.0.3' });
    expect(spec.extraVars.semaphore_vars).toMatchObject({ task_details: { type: 'build', target_version: '1.0.3' } });
  });

  it('marks deploy tasks with the incoming version of their build task', () => {
    const ctx = { ...context({ template: { type: TemplateType.Deploy } }), buildVersion: '2.4.0' };
    const spec = buildJobSpec(ctx, { claimGeneration: 1, lastSeq: 0 }, cipher, WEB);
    expect(spec.version).toBe('2.4.0');
    expect(spec.env).toMatchObject({ SEMAPHORE_TASK_TYPE: 'deploy', SEMAPHORE_TASK_INCOMING_VERSION: '2.4.0' });
    expect(spec.env).not.toHaveProperty('SEMAPHORE_TASK_TARGET_VERSION');
    expect(spec.extraVars.semaphore_vars).toEqual({
      task_details: {
        id: 42,
        username: 'alice',
        url: `${WEB}project/1/history?t=42`,
        message: 'go',
        type: 'deploy',
        incoming_version: '2.4.0',
      },
    });
  });

  it('gives plain templates no task type', () => {
    const spec = buildJobSpec(context({ task: { message: '' } }), { claimGeneration: 1, lastSeq: 0 }, cipher, WEB);
    expect(spec.extraVars.semaphore_vars).toEqual({
      task_details: { id: 42, username: 'alice', url: `${WEB}project/1/history?t=42` },
    });
    expect(Object.keys(spec.env).filter((k) => k.startsWith('SEMAPHORE_TASK_'))).toEqual([]);
  });

  it('hands the known hosts of the global and project options to the repository and the inventory', () => {
    const ctx = {
      ...context(),
      knownHosts: [
        { key: 'ssh.known_hosts', value: `# all projects\n[10.0.0.1]:22 ${hostKey}\n` },
        { key: 'project.1.ssh.known_hosts', value: `git.example.com ${hostKey}` },
      ],
    };
    const spec = buildJobSpec(ctx, { claimGeneration: 1, lastSeq: 0 }, cipher, WEB);
    const lines = [`[10.0.0.1]:22 ${hostKey}`, `git.example.com ${hostKey}`];
    expect(spec.repository.knownHosts).toEqual(lines);
    expect(spec.inventory?.knownHosts).toEqual(lines);
    expect(spec.inventory?.repository).toBeNull();
  });

  it('refuses a known hosts option that is not in known_hosts format', () => {
    const ctx = { ...context(), knownHosts: [{ key: 'project.1.ssh.known_hosts', value: 'example.com not-a-key' }] };
    expect(() => buildJobSpec(ctx, { claimGeneration: 1, lastSeq: 0 }, cipher, WEB)).toThrow(
      'known hosts option project.1.ssh.known_hosts, line 1: ',
    );
  });

  it('gives a file inventory kept in another repository that repository, with its own branch and key', () => {
    const inventoryRepo = {
      id: 8,
      projectId: 1,
      name: 'inventories',
      gitUrl: 'ssh://git@git.example.com/inv.git',
      gitBranch: 'production',
      sshKeyId: 1,
      sshKey,
    } as RepositoryEntity;
    const ctx = {
      ...context({
        inventory: {
          type: InventoryType.File,
          inventory: 'hosts/prod.ini',
          repositoryId: 8,
          repository: inventoryRepo,
        },
        task: { gitBranch: 'feature' },
        template: { allowOverrideBranchInTask: true },
      }),
      knownHosts: [{ key: 'ssh.known_hosts', value: `git.example.com ${hostKey}` }],
    };
    const spec = buildJobSpec(ctx, { claimGeneration: 1, lastSeq: 0 }, cipher, WEB);
    expect(spec.inventory).toMatchObject({ type: 'file', inventory: 'hosts/prod.ini' });
    expect(spec.inventory?.repository).toEqual({
      url: 'ssh://git@git.example.com/inv.git',
      branch: 'production',
      key: { type: 'ssh', login: 'git', privateKey: 'PK', passphrase: 'pp' },
      knownHosts: [`git.example.com ${hostKey}`],
    });
    expect(spec.repository.branch).toBe('feature');

    // A static inventory ignores a stale repository_id; a file inventory whose repository did not load is refused.
    const stat = context({ inventory: { repositoryId: 8, repository: inventoryRepo } });
    expect(buildJobSpec(stat, { claimGeneration: 1, lastSeq: 0 }, cipher, WEB).inventory?.repository).toBeNull();
    const gone = context({ inventory: { type: InventoryType.File, inventory: 'hosts', repositoryId: 8, name: 'inv' } });
    expect(() => buildJobSpec(gone, { claimGeneration: 1, lastSeq: 0 }, cipher, WEB)).toThrow(
      'the repository of inventory inv is gone',
    );
  });

  it('refuses a key that does not decrypt, naming the key but not the secret', () => {
    const broken = key(9, AccessKeyType.Ssh, new SecretCipher(randomBytes(32)).encrypt('{"login":"x"}'));
    expect(() => keyMaterial(broken, cipher)).toThrow(JobSpecError);
    expect(() => keyMaterial(broken, cipher)).toThrow('access key key9 could not be decrypted');
    expect(keyMaterial(null, cipher)).toEqual({ type: 'none' });
  });

  it.each([
    [{ template: { arguments: '{"a":1}' } }, 'template arguments are not a JSON array of strings'],
    [{ task: { environment: '[1]' } }, 'task environment is not a JSON object'],
    [{ task: { params: { __secret: 'not-ciphertext' } } }, 'the task secret could not be decrypted'],
  ])('refuses malformed stored data %#', (over, message) => {
    expect(() => buildJobSpec(context(over), { claimGeneration: 1, lastSeq: 0 }, cipher, WEB)).toThrow(message);
  });
});
