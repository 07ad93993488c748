import type { EventEntity } from '@semaphore/persistence';
import { toWireEvent } from './event.wire';

describe('event wire', () => {
  it('GET /api/events/last item matches Appendix A', () => {
    const event: EventEntity = {
      id: 77,
      projectId: 1,
      userId: 1,
      integrationId: null,
      objectId: 42,
      objectType: 'task',
      description: 'Task ID 42 queued for running',
      created: new Date('2024-10-25T00:43:48Z'),
    };
    expect(JSON.stringify(toWireEvent(event, { objectName: '', projectName: 'Demo', username: 'admin' }))).toBe(
      '{"user_id":1,"project_id":1,"integration_id":null,"object_id":42,"object_type":"task",' +
        '"description":"Task ID 42 queued for running","created":"2024-10-25T00:43:48Z","object_name":"",' +
        '"project_name":"Demo","username":"admin"}',
    );
  });

  it('keeps nulls of a global event', () => {
    const event: EventEntity = {
      id: 78,
      projectId: null,
      userId: null,
      integrationId: null,
      objectId: null,
      objectType: null,
      description: null,
      created: new Date('2024-10-25T00:43:48.5Z'),
    };
    const wire = toWireEvent(event, { objectName: '', projectName: null, username: null });
    expect(wire).toEqual({
      user_id: null,
      project_id: null,
      integration_id: null,
      object_id: null,
      object_type: null,
      description: null,
      created: '2024-10-25T00:43:48.5Z',
      object_name: '',
      project_name: null,
      username: null,
    });
  });
});
