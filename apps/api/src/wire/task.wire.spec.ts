import { TaskStatus, TemplateType } from '@semaphore/models';
import type { TaskEntity, TaskOutputEntity } from '@semaphore/persistence';
import { fromWireTask, taskSecretFromWire, toWireTask, toWireTaskOutput, toWireTaskWithTpl } from './task.wire';

// Appendix A shows Go's nanosecond time (`…48.123456789Z`); a JS Date holds milliseconds, hence `…48.123Z` here.
const APPENDIX_TASK =
  '{"id":42,"template_id":7,"project_id":1,"status":"waiting","debug":false,"dry_run":false,"diff":false,' +
  '"playbook":"","environment":"{}","limit":"","secret":"{}","arguments":null,"git_branch":null,"user_id":1,' +
  '"integration_id":null,"schedule_id":null,"created":"2024-10-25T00:43:48.123Z","start":null,"end":null,' +
  '"message":"","commit_hash":null,"commit_message":"","build_task_id":null,"version":null,"inventory_id":null';
/** Our additions, after upstream's keys. */
const ADDITIONS = ',"error_code":null,"retry_of_task_id":null,"progress":null}';

function taskEntity(overrides: Partial<TaskEntity> = {}): TaskEntity {
  return {
    id: 42,
    templateId: 7,
    projectId: 1,
    status: TaskStatus.Waiting,
    debug: false,
    dryRun: false,
    diff: false,
    playbook: '',
    environment: '{}',
    hostsLimit: '',
    arguments: null,
    gitBranch: null,
    userId: 1,
    integrationId: null,
    scheduleId: null,
    created: new Date('2024-10-25T00:43:48.123Z'),
    start: null,
    end: null,
    message: '',
    commitHash: null,
    commitMessage: '',
    buildTaskId: null,
    version: null,
    inventoryId: null,
    params: null,
    runnerTag: null,
    runnerId: null,
    claimGeneration: 0,
    claimedAt: null,
    errorCode: null,
    lastSeq: 0,
    retryOfTaskId: null,
    progress: null,
    ...overrides,
  };
}

const template = { playbook: 'ping.yml', name: 'Ping Site', type: TemplateType.Default, app: 'ansible' };

describe('task wire', () => {
  it('POST P/tasks response matches Appendix A', () => {
    expect(JSON.stringify(toWireTask(taskEntity()))).toBe(APPENDIX_TASK + ADDITIONS);
  });

  it('maps limit from hostsLimit, times, and always sends secret "{}"', () => {
    const wire = toWireTask(
      taskEntity({
        hostsLimit: 'web1,web2',
        start: new Date('2024-10-25T00:43:49Z'),
        end: new Date('2024-10-25T00:44:00.5Z'),
        commitHash: 'abc',
      }),
    );
    expect(wire.limit).toBe('web1,web2');
    expect(wire.secret).toBe('{}');
    expect(wire.start).toBe('2024-10-25T00:43:49Z');
    expect(wire.end).toBe('2024-10-25T00:44:00.5Z');
    expect(wire.commit_hash).toBe('abc');
  });

  it('GET P/tasks/last item (TaskWithTpl) matches Appendix A', () => {
    const wire = toWireTaskWithTpl(taskEntity(), { template, user: { name: 'Admin' }, buildTask: null });
    expect(JSON.stringify(wire)).toBe(
      APPENDIX_TASK +
        ADDITIONS.slice(0, -1) +
        ',"tpl_playbook":"ping.yml","tpl_alias":"Ping Site","tpl_type":"","tpl_app":"ansible","user_name":"Admin",' +
        '"build_task":null}',
    );
  });

  it('TaskWithTpl: null user, nested build task', () => {
    const build = taskEntity({ id: 40, templateId: 6, version: '1.0.3', status: TaskStatus.Success });
    const wire = toWireTaskWithTpl(taskEntity({ buildTaskId: 40 }), {
      template: { ...template, type: TemplateType.Deploy },
      user: null,
      buildTask: build,
    });
    expect(wire.user_name).toBeNull();
    expect(wire.tpl_type).toBe('deploy');
    expect(JSON.stringify(wire.build_task)).toBe(JSON.stringify(toWireTask(build)));
    expect(wire.build_task).toMatchObject({ id: 40, version: '1.0.3', secret: '{}' });
  });

  it('task output item matches Appendix A', () => {
    const line: TaskOutputEntity = {
      id: '1001',
      taskId: 42,
      seq: 1,
      time: new Date('2024-10-25T00:43:49Z'),
      output: 'Task 42 added to queue',
    };
    expect(JSON.stringify(toWireTaskOutput(line))).toBe(
      '{"task_id":42,"task":"","time":"2024-10-25T00:43:49Z","output":"Task 42 added to queue"}',
    );
  });

  it('reads a create body: meaningful inputs only, limit -> hostsLimit, secret apart', () => {
    const body = {
      id: 5,
      project_id: 2,
      status: 'success',
      user_id: 3,
      created: '2020-01-01T00:00:00Z',
      version: '9',
      template_id: 7,
      debug: true,
      dry_run: true,
      diff: false,
      playbook: 'other.yml',
      environment: '{"a":1}',
      secret: '{"pw":"x"}',
      limit: 'web1',
      arguments: '["-v"]',
      git_branch: 'dev',
      message: 'deploy',
      build_task_id: null,
      commit_hash: null,
      inventory_id: 3,
      params: { plan: true },
    };
    const fields = fromWireTask(body);
    expect(fields).toEqual({
      templateId: 7,
      debug: true,
      dryRun: true,
      diff: false,
      playbook: 'other.yml',
      environment: '{"a":1}',
      hostsLimit: 'web1',
      arguments: '["-v"]',
      gitBranch: 'dev',
      message: 'deploy',
      buildTaskId: null,
      commitHash: null,
      inventoryId: 3,
      params: { plan: true },
    });
    expect(JSON.stringify(fields)).not.toContain('pw');
    expect(taskSecretFromWire(body)).toBe('{"pw":"x"}');
    expect(fromWireTask({ template_id: '7', environment: {} })).toEqual({});
  });
});
