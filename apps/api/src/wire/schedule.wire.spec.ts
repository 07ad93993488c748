import type { ScheduleEntity } from '@semaphore/persistence';
import { fromWireSchedule, toWireSchedule, toWireScheduleWithTpl } from './schedule.wire';

const schedule: ScheduleEntity = {
  id: 1,
  projectId: 1,
  templateId: 7,
  cronFormat: '*/5 * * * *',
  runAt: null,
  name: '',
  active: true,
  repositoryId: null,
  lastCommitHash: 'deadbeef',
  created: new Date('2024-10-25T00:00:00Z'),
};

describe('schedule wire', () => {
  it('GET P/schedules item matches Appendix A', () => {
    expect(JSON.stringify(toWireScheduleWithTpl(schedule, { tplName: 'Ping Site' }))).toBe(
      '{"id":1,"project_id":1,"template_id":7,"cron_format":"*/5 * * * *","name":"","active":true,"repository_id":null,' +
        '"tpl_name":"Ping Site"}',
    );
    expect(JSON.stringify(toWireSchedule(schedule))).not.toContain('deadbeef');
  });

  it('reads a body, never id or project_id', () => {
    const body = {
      id: 1,
      project_id: 3,
      template_id: 7,
      cron_format: '0 * * * *',
      name: 'n',
      active: false,
      repository_id: 2,
    };
    expect(fromWireSchedule(body)).toEqual({
      templateId: 7,
      cronFormat: '0 * * * *',
      name: 'n',
      active: false,
      repositoryId: 2,
    });
  });
});
