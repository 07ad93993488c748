import type { RunnerEntity } from '@semaphore/persistence';
import { fromWireRunner, toWireRunner } from './runner.wire';

const runner: RunnerEntity = {
  id: 1,
  projectId: null,
  name: 'r1',
  tokenHash: 'a'.repeat(64),
  registrationTokenHash: 'b'.repeat(64),
  registrationTokenExpires: null,
  webhook: '',
  maxParallelTasks: 0,
  active: true,
  tags: ['eu'],
  lastSeen: null,
  version: '0.1.0',
  created: new Date('2024-10-25T00:00:00Z'),
};

describe('runner wire', () => {
  it('GET /api/runners item matches Appendix A and never carries a token', () => {
    const json = JSON.stringify(toWireRunner(runner));
    expect(json).toBe('{"id":1,"project_id":null,"webhook":"","max_parallel_tasks":0,"active":true,"name":"r1"}');
    expect(json).not.toContain('aaaa');
    expect(json).not.toContain('bbbb');
  });

  it('reads an admin body, never a token or id', () => {
    const body = {
      id: 3,
      token: 't',
      project_id: 2,
      webhook: 'https://h',
      max_parallel_tasks: 2,
      active: false,
      name: 'x',
    };
    expect(fromWireRunner(body)).toEqual({
      projectId: 2,
      webhook: 'https://h',
      maxParallelTasks: 2,
      active: false,
      name: 'x',
    });
  });
});
