import { ansiblePlaybookArgs, type AnsiblePlaybookArgs } from './ansible-args';
import { UnsafeArgumentError } from './arg-safety';

const minimal: AnsiblePlaybookArgs = {
  inventoryPath: '/tmp/sem/task_0/inventory_0',
  debug: false,
  diff: false,
  dryRun: false,
  vaults: [],
  extraVarsFile: '/tmp/sem/task_0/extra_vars.json',
  templateArguments: [],
  taskArguments: [],
  limit: '',
  playbook: 'test.yml',
};

describe('ansiblePlaybookArgs', () => {
  it('builds the minimal command line, extra vars through a file', () => {
    expect(ansiblePlaybookArgs(minimal)).toEqual([
      '-i',
      '/tmp/sem/task_0/inventory_0',
      '--extra-vars=@/tmp/sem/task_0/extra_vars.json',
      '--',
      'test.yml',
    ]);
  });

  it('keeps upstream order for every option', () => {
    const args = ansiblePlaybookArgs({
      ...minimal,
      user: 'deploy',
      becomeUser: 'root',
      debug: true,
      diff: true,
      dryRun: true,
      vaults: [
        { name: 'prod', passwordFile: '/tmp/sem/task_0/vault_0' },
        { name: '', passwordFile: '/tmp/sem/task_0/vault_1' },
      ],
      templateArguments: ['--tags', 'web'],
      taskArguments: ['--skip-tags=db'],
      limit: 'web1,web2',
      playbook: 'playbooks/site.yml',
    });
    expect(args).toEqual([
      '-i',
      '/tmp/sem/task_0/inventory_0',
      '--user=deploy',
      '--become-user=root',
      '-vvvv',
      '--diff',
      '--check',
      '--vault-id=prod@/tmp/sem/task_0/vault_0',
      '--vault-id=default@/tmp/sem/task_0/vault_1',
      '--extra-vars=@/tmp/sem/task_0/extra_vars.json',
      '--tags',
      'web',
      '--skip-tags=db',
      '--limit=web1,web2',
      '--',
      'playbooks/site.yml',
    ]);
  });

  it('never lets a user value become an option', () => {
    const limit = ansiblePlaybookArgs({ ...minimal, limit: '--become-method=su' });
    expect(limit).toContain('--limit=--become-method=su');
    expect(limit).not.toContain('--become-method=su');
    expect(() => ansiblePlaybookArgs({ ...minimal, playbook: '-e@/etc/shadow' })).toThrow(UnsafeArgumentError);
    expect(() => ansiblePlaybookArgs({ ...minimal, playbook: '../../etc/passwd' })).toThrow(
      'playbook must not contain ".."',
    );
    expect(() => ansiblePlaybookArgs({ ...minimal, playbook: '/etc/passwd' })).toThrow(
      'playbook must be a relative path',
    );
    expect(() => ansiblePlaybookArgs({ ...minimal, inventoryPath: '../x' })).toThrow('inventory');
    expect(() =>
      ansiblePlaybookArgs({ ...minimal, vaults: [{ name: 'a@prompt --x', passwordFile: '/tmp/v' }] }),
    ).toThrow('vault name');
    expect(() => ansiblePlaybookArgs({ ...minimal, limit: 'a\nb' })).toThrow('limit');
  });
});
