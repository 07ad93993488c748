import { AppId } from '@semaphore/models';
import { UnsafeArgumentError } from './arg-safety';
import {
  afterPlan,
  isTerraformApp,
  planOutcome,
  terraformApplyArgs,
  terraformBinary,
  terraformInitArgs,
  terraformPlanArgs,
  terraformTaskParams,
  terraformVariables,
  terraformWorkingDir,
  terraformWorkspaceName,
  terraformWorkspaceSelectArgs,
} from './terraform-args';

describe('terraform argv builders', () => {
  it('picks the binary by app id', () => {
    expect(terraformBinary(AppId.Terraform)).toBe('terraform');
    expect(terraformBinary(AppId.Tofu)).toBe('tofu');
    expect(() => terraformBinary(AppId.Bash)).toThrow(UnsafeArgumentError);
    expect([AppId.Terraform, AppId.Tofu, AppId.Ansible, AppId.Bash].map(isTerraformApp)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('init, workspace select, plan into a saved plan with a variables file, apply of that plan', () => {
    expect(terraformInitArgs()).toEqual(['init', '-input=false']);
    expect(terraformWorkspaceSelectArgs('prod-eu')).toEqual(['workspace', 'select', '-or-create=true', 'prod-eu']);
    expect(terraformPlanArgs('/tmp/t/task_1/terraform.tfplan', '/tmp/t/task_1/terraform.tfvars.json')).toEqual([
      'plan',
      '-input=false',
      '-detailed-exitcode',
      '-out=/tmp/t/task_1/terraform.tfplan',
      '-var-file=/tmp/t/task_1/terraform.tfvars.json',
    ]);
    expect(terraformApplyArgs('/tmp/t/task_1/terraform.tfplan')).toEqual([
      'apply',
      '-input=false',
      '/tmp/t/task_1/terraform.tfplan',
    ]);
  });

  it.each(['relative.tfplan', '/tmp/../etc/x', '/tmp/a\nb', '-out=/x'])('refuses an unclean engine path %j', (p) => {
    expect(() => terraformPlanArgs(p, '/tmp/v.json')).toThrow(UnsafeArgumentError);
    expect(() => terraformApplyArgs(p)).toThrow(UnsafeArgumentError);
  });

  it('workspace name: the inventory text, default when empty, validated', () => {
    expect(terraformWorkspaceName('')).toBe('default');
    expect(terraformWorkspaceName(null)).toBe('default');
    expect(terraformWorkspaceName(undefined)).toBe('default');
    expect(terraformWorkspaceName('staging_2.eu')).toBe('staging_2.eu');
    for (const bad of ['-chdir=/', 'a b', 'a/b', 'x\ny', 'x'.repeat(256)]) {
      expect(() => terraformWorkspaceName(bad)).toThrow(/^inventory \(a workspace name\) must/);
    }
    expect(() => terraformWorkspaceSelectArgs('-or-create=false')).toThrow(UnsafeArgumentError);
  });

  it('working directory: the repository or a sub-directory inside it', () => {
    expect(terraformWorkingDir('/w/repository', '')).toBe('/w/repository');
    expect(terraformWorkingDir('/w/repository', '.')).toBe('/w/repository');
    expect(terraformWorkingDir('/w/repository', 'infra/prod')).toBe('/w/repository/infra/prod');
    expect(terraformWorkingDir('/w/repository', 'infra/')).toBe('/w/repository/infra/');
    for (const bad of ['../other', 'infra/../../x', '/etc', '-chdir=/']) {
      expect(() => terraformWorkingDir('/w/repository', bad)).toThrow(UnsafeArgumentError);
    }
  });

  it('variables: every extra var except semaphore_vars, JSON types kept', () => {
    expect(
      terraformVariables({
        region: 'eu',
        replicas: 3,
        enabled: true,
        tags: { env: 'prod' },
        semaphore_vars: { task_details: { id: 1 } },
      }),
    ).toEqual({ region: 'eu', replicas: 3, enabled: true, tags: { env: 'prod' } });
  });
});

describe('terraform decision after the plan', () => {
  it('reads the plan outcome from -detailed-exitcode', () => {
    expect([0, 2, 1, null, 3].map(planOutcome)).toEqual(['no-changes', 'changes', 'failed', 'failed', 'failed']);
  });

  it('task params: only a literal true counts', () => {
    expect(terraformTaskParams({})).toEqual({ plan: false, autoApprove: false });
    expect(terraformTaskParams({ plan: true, auto_approve: true })).toEqual({ plan: true, autoApprove: true });
    expect(terraformTaskParams({ plan: 'true', auto_approve: 1 })).toEqual({ plan: false, autoApprove: false });
  });

  it.each([
    ['no-changes', {}, 'success'],
    ['no-changes', { auto_approve: true }, 'success'],
    ['no-changes', { plan: true }, 'success'],
    ['changes', {}, 'confirm'],
    ['changes', { auto_approve: true }, 'apply'],
    ['changes', { plan: true }, 'success'],
    ['changes', { plan: true, auto_approve: true }, 'success'],
  ] as const)('%s with params %j -> %s', (outcome, params, expected) => {
    expect(afterPlan(outcome, terraformTaskParams(params))).toBe(expected);
  });
});
