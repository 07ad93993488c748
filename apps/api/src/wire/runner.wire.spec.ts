import type { RunnerEntity } from '@semaphore/persistence';
import { fromWireRunner, toWireCreatedRunner, toWireRunner, toWireRunnerWithStatus } from './runner.wire';

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

  it('adds tags, online and last_seen after the upstream keys', () => {
    const seen = new Date('2024-10-25T00:00:05Z');
    const wire = toWireRunnerWithStatus(runner, { online: true, lastSeen: seen });
    expect(Object.keys(wire)).toEqual([
      'id',
      'project_id',
      'webhook',
      'max_parallel_tasks',
      'active',
      'name',
      'tags',
      'online',
      'last_seen',
    ]);
    expect(wire).toMatchObject({ tags: ['eu'], online: true, last_seen: '2024-10-25T00:00:05Z' });
    expect(toWireRunnerWithStatus(runner, { online: false, lastSeen: null }).last_seen).toBeNull();
  });

  it('the created runner carries its token last', () => {
    expect(Object.keys(toWireCreatedRunner(runner, 'tok')).at(-1)).toBe('token');
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
      tags: ['a', 'b'],
    };
    expect(fromWireRunner(body)).toEqual({
      projectId: 2,
      webhook: 'https://h',
      maxParallelTasks: 2,
      active: false,
      name: 'x',
      tags: ['a', 'b'],
    });
  });
});
