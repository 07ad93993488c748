import {
  AccessKeyType,
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
  InventoryType,
  TemplateType,
} from '@semaphore/models';
import type {
  IntegrationEntity,
  ProjectEntity,
  RepositoryEntity,
  ScheduleEntity,
  TemplateEntity,
} from '@semaphore/persistence';
import { toBackupFormat } from './backup-export.service';
import type { BackupRows } from './backup.repository';

const project = { id: 1, name: 'Demo', alert: false, alertChat: null, maxParallelTasks: 0, type: '' } as ProjectEntity;

function template(id: number, name: string, extra: Partial<TemplateEntity> = {}): TemplateEntity {
  return {
    id,
    projectId: 1,
    name,
    playbook: 'site.yml',
    arguments: null,
    allowOverrideArgsInTask: false,
    allowOverrideBranchInTask: false,
    allowOverrideInventoryInTask: false,
    allowParallelTasks: false,
    description: null,
    type: TemplateType.Default,
    startVersion: null,
    buildTemplateId: null,
    viewId: null,
    autorun: false,
    gitBranch: null,
    surveyVars: [],
    suppressSuccessAlerts: false,
    app: 'ansible',
    runnerTag: null,
    taskParams: null,
    inventoryId: 10,
    repositoryId: 20,
    environmentId: null,
    ...extra,
  } as TemplateEntity;
}

const schedule = (id: number, templateId: number, extra: Partial<ScheduleEntity> = {}) =>
  ({
    id,
    templateId,
    cronFormat: `${id} * * * *`,
    active: true,
    runAt: null,
    repositoryId: null,
    ...extra,
  }) as ScheduleEntity;

function rows(extra: Partial<BackupRows> = {}): BackupRows {
  return {
    project,
    keys: [
      { id: 2, name: 'None', type: AccessKeyType.None },
      { id: 3, name: 'deploy', type: AccessKeyType.Ssh },
      { id: 4, name: 'deploy', type: AccessKeyType.LoginPassword },
    ],
    environments: [],
    repositories: [
      { id: 20, name: 'repo', gitUrl: 'https://x/r.git', gitBranch: 'main', sshKeyId: 4 } as RepositoryEntity,
    ],
    inventories: [
      {
        id: 10,
        name: 'hosts',
        type: InventoryType.Static,
        inventory: 'localhost',
        sshKeyId: 3,
        becomeKeyId: null,
        repositoryId: null,
      } as BackupRows['inventories'][number],
    ],
    views: [],
    templates: [],
    vaults: [],
    schedules: [],
    integrations: [],
    matchers: [],
    values: [],
    aliases: [],
    ...extra,
  };
}

describe('toBackupFormat', () => {
  it('names references, makes duplicate names unique and never carries ids or secrets', () => {
    const backup = toBackupFormat(rows());
    expect(backup.keys).toEqual([
      { name: 'None', type: 'none' },
      { name: 'deploy', type: 'ssh' },
      { name: 'deploy (2)', type: 'login_password' },
    ]);
    expect(backup.repositories).toEqual([
      { name: 'repo', git_url: 'https://x/r.git', git_branch: 'main', ssh_key: 'deploy (2)' },
    ]);
    expect(backup.inventories).toEqual([{ name: 'hosts', inventory: 'localhost', type: 'static', ssh_key: 'deploy' }]);
    expect(backup.meta).toEqual({ name: 'Demo', alert: false, max_parallel_tasks: 0, type: '' });
    expect(JSON.stringify(backup)).not.toMatch(/"(id|project_id|secret)"/);
  });

  it('exports survey vars, vaults, autorun and suppress_success_alerts (lost by upstream on SQL backends)', () => {
    const backup = toBackupFormat(
      rows({
        templates: [
          template(30, 'deploy', {
            autorun: true,
            suppressSuccessAlerts: true,
            surveyVars: [{ name: 'v', title: 'V', required: true, type: '', description: '', values: null }],
          }),
        ],
        vaults: [
          { id: 2, templateId: 30, vaultKeyId: 4, name: null },
          { id: 1, templateId: 30, vaultKeyId: 3, name: 'prod' },
        ] as BackupRows['vaults'],
      }),
    );
    expect(backup.templates[0]).toMatchObject({
      autorun: true,
      suppress_success_alerts: true,
      survey_vars: [{ name: 'v', title: 'V', required: true, type: '', description: '', values: [] }],
      vaults: [{ vault_key: 'deploy (2)' }, { name: 'prod', vault_key: 'deploy' }],
    });
  });

  it('gives each template the cron of its first active plain cron schedule only', () => {
    const backup = toBackupFormat(
      rows({
        templates: [template(30, 'a'), template(31, 'b'), template(32, 'c')],
        schedules: [
          schedule(5, 30, { active: false }),
          schedule(6, 30),
          schedule(7, 30),
          schedule(8, 31, { repositoryId: 20 }),
          schedule(9, 31, { cronFormat: '', runAt: new Date() }),
        ],
      }),
    );
    expect(backup.templates.map((t) => t.cron)).toEqual(['6 * * * *', undefined, undefined]);
  });

  it('keeps build_template for deploy templates only, and sorts by name (views by position)', () => {
    const backup = toBackupFormat(
      rows({
        templates: [
          template(31, 'zeta', { type: TemplateType.Deploy, buildTemplateId: 30 }),
          template(30, 'build', { type: TemplateType.Build }),
          template(32, 'alpha', { buildTemplateId: 30 }),
        ],
        views: [
          { id: 1, projectId: 1, title: 'b', position: 2 },
          { id: 2, projectId: 1, title: 'a', position: 5 },
        ],
      }),
    );
    expect(backup.templates.map((t) => [t.name, t.build_template])).toEqual([
      ['alpha', undefined],
      ['build', undefined],
      ['zeta', 'build'],
    ]);
    expect(backup.views).toEqual([
      { title: 'b', position: 2 },
      { title: 'a', position: 5 },
    ]);
  });

  it('exports integrations with matchers, values, aliases and the auth key name; task_params {} when none', () => {
    const integration = {
      id: 40,
      name: 'hook',
      templateId: 30,
      authMethod: IntegrationAuthMethod.Token,
      authSecretId: 4,
      authHeader: 'X-Token',
      searchable: false,
      taskParams: null,
    } as IntegrationEntity;
    const backup = toBackupFormat(
      rows({
        templates: [template(30, 'deploy')],
        integrations: [integration, { ...integration, id: 41, templateId: 999 }],
        matchers: [
          {
            id: 1,
            integrationId: 40,
            name: 'm',
            matchType: IntegrationMatchType.Header,
            method: IntegrationMatchMethod.Contains,
            bodyDataType: IntegrationBodyDataType.String,
            key: 'X-Event',
            value: 'push',
          },
        ] as BackupRows['matchers'],
        aliases: [
          { id: 1, alias: 'projectalias0001', projectId: 1, integrationId: null },
          { id: 2, alias: 'hookalias0000001', projectId: 1, integrationId: 40 },
        ] as BackupRows['aliases'],
      }),
    );
    // The integration of a template outside the project is left out (as upstream).
    expect(backup.integrations).toEqual([
      {
        name: 'hook',
        auth_method: 'token',
        auth_header: 'X-Token',
        searchable: false,
        task_params: {},
        aliases: ['hookalias0000001'],
        matchers: [
          {
            name: 'm',
            match_type: 'header',
            method: 'contains',
            body_data_type: 'string',
            key: 'X-Event',
            value: 'push',
          },
        ],
        extract_values: [],
        template: 'deploy',
        auth_secret: 'deploy (2)',
      },
    ]);
    expect(backup.integration_aliases).toEqual(['projectalias0001']);
  });
});
