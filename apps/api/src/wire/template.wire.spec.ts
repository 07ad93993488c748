import { TemplateType, type WireTaskWithTpl } from '@semaphore/models';
import type { TemplateEntity, TemplateVaultEntity } from '@semaphore/persistence';
import { fromWireTemplate, templateVaultsFromWire, toWireTemplate } from './template.wire';

const template: TemplateEntity = {
  id: 7,
  projectId: 1,
  inventoryId: 3,
  repositoryId: 1,
  environmentId: 1,
  name: 'Ping Site',
  playbook: 'ping.yml',
  arguments: null,
  allowOverrideArgsInTask: false,
  allowOverrideBranchInTask: false,
  allowOverrideInventoryInTask: false,
  allowParallelTasks: false,
  description: 'Pings the site',
  type: TemplateType.Default,
  startVersion: null,
  buildTemplateId: null,
  viewId: null,
  autorun: false,
  gitBranch: null,
  surveyVars: [{ name: 'version', title: 'Version', required: true, type: '', description: '', values: null }],
  suppressSuccessAlerts: false,
  app: 'ansible',
  runnerTag: null,
  taskParams: null,
  sshOptions: null,
  created: new Date('2024-10-25T00:00:00Z'),
};

const vault: TemplateVaultEntity = { id: 1, projectId: 1, templateId: 7, vaultKeyId: 2, name: null };

describe('template wire', () => {
  it('GET P/templates/7 matches Appendix A', () => {
    expect(JSON.stringify(toWireTemplate(template, { vaults: [vault], lastTask: null, tasks: 0 }))).toBe(
      '{"id":7,"project_id":1,"inventory_id":3,"repository_id":1,"environment_id":1,"name":"Ping Site",' +
        '"playbook":"ping.yml","arguments":null,"allow_override_args_in_task":false,"description":"Pings the site",' +
        '"vaults":[{"id":1,"project_id":1,"template_id":7,"vault_key_id":2,"name":null}],"type":"","start_version":null,' +
        '"build_template_id":null,"view_id":null,"last_task":null,"autorun":false,"git_branch":null,' +
        '"survey_vars":[{"name":"version","title":"Version","required":true,"type":"","description":"","values":null}],' +
        '"suppress_success_alerts":false,"app":"ansible","tasks":0,' +
        '"allow_override_branch_in_task":false,"allow_parallel_tasks":false,"runner_tag":null,"ssh_options":null}',
    );
  });

  it('keeps description null, and the list form is the complete object (upstream list quirk not copied)', () => {
    const entity = { ...template, description: null, autorun: true, suppressSuccessAlerts: true };
    const wire = toWireTemplate(entity, { vaults: [], lastTask: null, tasks: 12 });
    expect(wire.description).toBeNull();
    expect(wire.arguments).toBeNull();
    expect(wire.autorun).toBe(true);
    expect(wire.suppress_success_alerts).toBe(true);
    expect(wire.vaults).toEqual([]);
    expect(wire.survey_vars).toHaveLength(1);
    expect(wire.tasks).toBe(12);
  });

  it('takes survey_vars and last_task from the extras', () => {
    const lastTask = { id: 42, tpl_alias: 'Ping Site' } as unknown as WireTaskWithTpl; // only passed through
    const wire = toWireTemplate(template, { vaults: [], surveyVars: null, lastTask, tasks: 1 });
    expect(wire.survey_vars).toBeNull();
    expect(wire.last_task).toBe(lastTask);
    const values = [{ name: 'a', value: '1' }];
    const withValues = toWireTemplate(template, {
      vaults: [],
      surveyVars: [{ name: 'env', title: 'Env', required: false, type: 'enum', description: 'd', values }],
      lastTask: null,
      tasks: 1,
    });
    expect(JSON.stringify(withValues.survey_vars)).toBe(
      '[{"name":"env","title":"Env","required":false,"type":"enum","description":"d","values":[{"name":"a","value":"1"}]}]',
    );
  });

  it('reads a body without id, project_id, last_task or tasks', () => {
    const body = {
      id: 7,
      project_id: 9,
      inventory_id: null,
      repository_id: 1,
      environment_id: 1,
      name: 'T',
      playbook: 'site.yml',
      arguments: '["--check"]',
      allow_override_args_in_task: true,
      description: null,
      vaults: [],
      type: 'build',
      start_version: '1.0.0',
      build_template_id: null,
      view_id: 2,
      last_task: { id: 1 },
      autorun: false,
      git_branch: null,
      survey_vars: [{ name: 's', title: 'S', type: 'secret', values: [{ name: 'x', value: 'y' }] }],
      suppress_success_alerts: true,
      app: 'terraform',
      tasks: 99,
    };
    expect(fromWireTemplate(body)).toEqual({
      inventoryId: null,
      repositoryId: 1,
      environmentId: 1,
      name: 'T',
      playbook: 'site.yml',
      arguments: '["--check"]',
      allowOverrideArgsInTask: true,
      description: null,
      type: TemplateType.Build,
      startVersion: '1.0.0',
      buildTemplateId: null,
      viewId: 2,
      autorun: false,
      gitBranch: null,
      surveyVars: [
        {
          name: 's',
          title: 'S',
          required: false,
          type: 'secret',
          description: '',
          values: [{ name: 'x', value: 'y' }],
        },
      ],
      suppressSuccessAlerts: true,
      app: 'terraform',
    });
    expect(fromWireTemplate({ survey_vars: null })).toEqual({ surveyVars: [] });
    expect(fromWireTemplate({ type: 'workflow' })).toEqual({});
    expect(fromWireTemplate({ allow_override_branch_in_task: true, allow_parallel_tasks: false })).toEqual({
      allowOverrideBranchInTask: true,
      allowParallelTasks: false,
    });
  });

  it('reads vaults: id 0 = new, items without a vault_key_id left out', () => {
    const body = { vaults: [{ id: 1, vault_key_id: 2, name: 'prod' }, { vault_key_id: 3 }, { id: 4 }] };
    expect(templateVaultsFromWire(body)).toEqual([
      { id: 1, vaultKeyId: 2, name: 'prod' },
      { id: 0, vaultKeyId: 3, name: null },
    ]);
    expect(templateVaultsFromWire({ vaults: null })).toBeUndefined();
  });
});
