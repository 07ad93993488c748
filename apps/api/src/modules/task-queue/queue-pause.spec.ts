import { isHeld, isQueueName, parsePauseEntry, pauseEntry, queueOfTag, tagOfQueue } from './queue-pause';

describe('queue names and pause entries', () => {
  it('names a queue by its runner tag, `tasks` for untagged tasks', () => {
    expect(queueOfTag(null)).toBe('tasks');
    expect(queueOfTag('gpu')).toBe('gpu');
    expect(tagOfQueue('tasks')).toBeNull();
    expect(tagOfQueue('gpu')).toBe('gpu');
  });

  it.each(['tasks', 'gpu', 'eu-west_1', 'a'.repeat(64)])('accepts %s as a queue name', (name) => {
    expect(isQueueName(name)).toBe(true);
  });

  it.each(['', 'GPU', 'a b', 'tasks:1', '../x', 'a'.repeat(65), 'é'])('refuses %j', (name) => {
    expect(isQueueName(name)).toBe(false);
  });

  it('writes entries with BullMQ queue names, so a tag spelled `tasks` cannot collide with untagged tasks', () => {
    expect(pauseEntry(null, null)).toBe('tasks');
    expect(pauseEntry('gpu', null)).toBe('tasks-gpu');
    expect(pauseEntry('gpu', 12)).toBe('tasks-gpu:12');
    expect(pauseEntry('tasks', null)).toBe('tasks-tasks');
    expect(pauseEntry(null, 3)).toBe('tasks:3');
  });

  it('reads back what it writes and nothing else', () => {
    for (const [tag, projectId] of [
      [null, null],
      ['gpu', null],
      ['gpu', 12],
      [null, 3],
      ['a-b_c', 2147483647],
    ] as const) {
      expect(parsePauseEntry(pauseEntry(tag, projectId))).toEqual({ tag, projectId });
    }
    for (const junk of ['', 'task', 'tasks-', 'tasks:0', 'tasks:-1', 'tasks-GPU', 'other', 'tasks:1:2']) {
      expect(parsePauseEntry(junk)).toBeNull();
    }
  });

  it('holds a task back when its whole queue or its project in that queue is paused', () => {
    const entries = new Set(['tasks-gpu', 'tasks:7']);
    expect(isHeld(entries, 'gpu', 1)).toBe(true);
    expect(isHeld(entries, 'gpu', 7)).toBe(true);
    expect(isHeld(entries, null, 7)).toBe(true);
    expect(isHeld(entries, null, 8)).toBe(false);
    expect(isHeld(entries, 'cpu', 7)).toBe(false);
    expect(isHeld(new Set(), 'gpu', 1)).toBe(false);
  });
});
