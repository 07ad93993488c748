import { Logger } from '@nestjs/common';
import { TaskStatus } from '@semaphore/models';
import { TaskStatusObservers } from './task-status-observers';

describe('TaskStatusObservers', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('tells every subscriber, in order; a failing one neither stops the others nor fails the caller', async () => {
    const observers = new TaskStatusObservers();
    const heard: string[] = [];
    observers.subscribe({ onTaskStatus: async (id, s) => void heard.push(`a:${id}:${s}`) });
    observers.subscribe({
      onTaskStatus: async () => {
        throw new Error('boom');
      },
    });
    observers.subscribe({ onTaskStatus: async (id, s) => void heard.push(`c:${id}:${s}`) });
    await expect(observers.notify(4, TaskStatus.Error)).resolves.toBeUndefined();
    expect(heard).toEqual(['a:4:error', 'c:4:error']);
  });
});
