import { ConflictException } from '@nestjs/common';
import type { RunnerEntity, TaskEntity } from '@semaphore/persistence';
import type { TaskClaimRepository } from './task-claim.repository';
import { lastSeenIsStale, TaskClaimService } from './task-claim.service';

describe('runner last_seen refresh on claim', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');

  it('refreshes a runner never seen, or seen a minute ago or more', () => {
    expect(lastSeenIsStale({ lastSeen: null }, now)).toBe(true);
    expect(lastSeenIsStale({ lastSeen: new Date(now - 60_000) }, now)).toBe(true);
    expect(lastSeenIsStale({ lastSeen: new Date(now - 3_600_000) }, now)).toBe(true);
  });

  it('leaves a runner seen within the last minute alone', () => {
    expect(lastSeenIsStale({ lastSeen: new Date(now - 59_999) }, now)).toBe(false);
    expect(lastSeenIsStale({ lastSeen: new Date(now) }, now)).toBe(false);
  });
});

describe('TaskClaimService: a claim that cannot be completed', () => {
  const runner = { id: 3, tags: [], projectId: null, lastSeen: new Date() } as unknown as RunnerEntity;
  const task = { id: 11, projectId: 1, templateId: 2, claimGeneration: 4, lastSeq: 1 } as TaskEntity;

  function service(repo: Partial<Record<keyof TaskClaimRepository, jest.Mock>>) {
    const logger = { setContext: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    return new TaskClaimService(
      repo as unknown as TaskClaimRepository,
      {} as never,
      { http: { webRoot: '' }, redis: { prefix: 'p' } } as never,
      { log: jest.fn() } as never,
      { onTaskFinished: jest.fn() } as never,
      { xadd: jest.fn() } as never,
      logger as never,
    );
  }

  it('gives the task back when loading its context fails (not the task fault), and rethrows', async () => {
    const repo = {
      claim: jest.fn().mockResolvedValue(task),
      loadContext: jest.fn().mockRejectedValue(new Error('connection terminated')),
      unclaim: jest.fn().mockResolvedValue(true),
      failClaimed: jest.fn(),
    };
    await expect(service(repo).claim(11, runner)).rejects.toThrow('connection terminated');
    expect(repo.unclaim).toHaveBeenCalledWith(task);
    expect(repo.failClaimed).not.toHaveBeenCalled();
  });

  it('fails (does not give back) a task whose template is gone: 409', async () => {
    const repo = {
      claim: jest.fn().mockResolvedValue(task),
      loadContext: jest.fn().mockResolvedValue(null),
      unclaim: jest.fn(),
      failClaimed: jest.fn().mockResolvedValue(null),
    };
    await expect(service(repo).claim(11, runner)).rejects.toBeInstanceOf(ConflictException);
    expect(repo.failClaimed).toHaveBeenCalledWith(task, 'INVALID_TASK', expect.stringContaining('template'));
    expect(repo.unclaim).not.toHaveBeenCalled();
  });
});
