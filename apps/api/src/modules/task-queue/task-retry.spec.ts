import { TaskStatus } from '@semaphore/models';
import type { SurveyVar, TaskEntity } from '@semaphore/persistence';
import { retryBody, retryStatusProblem, surveySecretProblem } from './task-retry';

function task(over: Partial<TaskEntity> = {}): TaskEntity {
  return {
    id: 5,
    templateId: 3,
    projectId: 1,
    status: TaskStatus.Error,
    debug: true,
    dryRun: true,
    diff: true,
    playbook: 'deploy.yml',
    environment: '{"region":"eu"}',
    hostsLimit: 'web*',
    arguments: '["-v"]',
    gitBranch: 'release',
    message: 'first try',
    commitHash: 'abcdef1234',
    inventoryId: 9,
    buildTaskId: 4,
    params: { plan: true, auto_approve: false, __secret: 'sealed' },
    userId: 2,
    scheduleId: 8,
    integrationId: 6,
    version: '1.2',
    ...over,
  } as TaskEntity;
}

function secretVar(name: string, required = true): SurveyVar {
  return { name, title: name, required, type: 'secret', description: '', values: null };
}

describe('retryBody', () => {
  it('copies the parameters of the original as a POST P/tasks body', () => {
    expect(retryBody(task(), undefined)).toEqual({
      template_id: 3,
      debug: true,
      dry_run: true,
      diff: true,
      playbook: 'deploy.yml',
      environment: '{"region":"eu"}',
      limit: 'web*',
      arguments: '["-v"]',
      git_branch: 'release',
      message: 'first try',
      inventory_id: 9,
      build_task_id: 4,
      params: { plan: true, auto_approve: false },
    });
  });

  it('never copies the sealed secret, the checked-out commit or server-owned fields', () => {
    const body = retryBody(task(), undefined) as unknown as Record<string, unknown>;
    expect(JSON.stringify(body)).not.toContain('sealed');
    for (const key of ['commit_hash', 'user_id', 'schedule_id', 'integration_id', 'version', 'secret', 'id']) {
      expect(body).not.toHaveProperty(key);
    }
  });

  it('passes a given secret on and drops empty params', () => {
    const body = retryBody(task({ params: { __secret: 'sealed' } }), '{"pw":"x"}');
    expect(body.secret).toBe('{"pw":"x"}');
    expect(body.params).toBeNull();
    expect(retryBody(task({ params: null }), '').secret).toBeUndefined();
  });
});

describe('retryStatusProblem', () => {
  it.each([TaskStatus.Success, TaskStatus.Error, TaskStatus.Stopped, TaskStatus.Rejected])('%s can be retried', (s) => {
    expect(retryStatusProblem(1, s)).toBeNull();
  });

  it.each([
    TaskStatus.Waiting,
    TaskStatus.Starting,
    TaskStatus.Running,
    TaskStatus.WaitingConfirmation,
    TaskStatus.Confirmed,
    TaskStatus.Stopping,
  ])('%s cannot', (s) => {
    expect(retryStatusProblem(12, s)).toBe(
      `Task 12 has not finished (status ${s}): only finished tasks (success, error, stopped, rejected) can be retried`,
    );
  });
});

describe('surveySecretProblem', () => {
  it('needs nothing when the survey has no required secret variable', () => {
    expect(surveySecretProblem(null, undefined)).toBeNull();
    expect(surveySecretProblem([secretVar('pw', false)], undefined)).toBeNull();
    expect(surveySecretProblem([{ ...secretVar('name'), type: '' }], undefined)).toBeNull();
  });

  it('names the field and the variables when no secret is sent', () => {
    for (const secret of [undefined, '', '{}']) {
      expect(surveySecretProblem([secretVar('pw'), secretVar('token')], secret)).toMatch(
        /^secret is required: .* pw, token, which are never stored/,
      );
    }
  });

  it('names the required variables the secret leaves out', () => {
    const vars = [secretVar('pw'), secretVar('token'), secretVar('optional', false)];
    expect(surveySecretProblem(vars, '{"pw":"x","token":""}')).toBe(
      'secret must set token (required secret survey variables)',
    );
    expect(surveySecretProblem(vars, '{"pw":"x","token":"y"}')).toBeNull();
  });
});
