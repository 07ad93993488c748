import { ProjectRole } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { demoFlagFromWireProject, fromWireProject, toWireProject, toWireProjectUser } from './project.wire';

const project: ProjectEntity = {
  id: 1,
  created: new Date('2024-10-25T00:00:00Z'),
  name: 'Demo',
  alert: false,
  alertChat: '',
  maxParallelTasks: 0,
  type: '',
};

describe('project wire', () => {
  it('GET /api/projects item matches Appendix A', () => {
    expect(JSON.stringify(toWireProject(project))).toBe(
      '{"id":1,"name":"Demo","created":"2024-10-25T00:00:00Z","alert":false,"alert_chat":"","max_parallel_tasks":0,"type":""}',
    );
  });

  it('keeps alert_chat null as null (not "")', () => {
    expect(toWireProject({ ...project, alertChat: null }).alert_chat).toBeNull();
  });

  it('maps a project member', () => {
    const user: Pick<UserEntity, 'id' | 'username' | 'name'> = { id: 3, username: 'bob', name: 'Bob' };
    expect(JSON.stringify(toWireProjectUser(user, ProjectRole.TaskRunner))).toBe(
      '{"id":3,"username":"bob","name":"Bob","role":"task_runner"}',
    );
  });

  it('reads a project body without id/created', () => {
    const body = {
      id: 7,
      created: 'x',
      name: 'P',
      alert: true,
      alert_chat: null,
      max_parallel_tasks: 3,
      type: '',
      demo: true,
    };
    expect(fromWireProject(body)).toEqual({ name: 'P', alert: true, alertChat: null, maxParallelTasks: 3, type: '' });
    expect(fromWireProject({ max_parallel_tasks: 1.5 })).toEqual({});
    expect(demoFlagFromWireProject(body)).toBe(true);
    expect(demoFlagFromWireProject({})).toBe(false);
  });
});
