import { deletedTaskId } from './task-deletion.middleware';

describe('deletedTaskId', () => {
  it.each([
    ['DELETE', '/api/project/3/tasks/41', 41],
    ['DELETE', '/api/project/3/tasks/41/', 41],
    ['DELETE', '/api/project/3/tasks/41?x=1', 41],
    ['GET', '/api/project/3/tasks/41', null],
    ['DELETE', '/api/project/3/tasks/41/artifacts', null],
    ['DELETE', '/api/project/3/tasks/abc', null],
    ['DELETE', '/api/tasks/41', null],
    ['DELETE', '/api/project/3', null],
  ])('%s %s -> %s', (method, url, id) => {
    expect(deletedTaskId(method, url)).toBe(id);
  });
});
