import Redis from 'ioredis';
import { createTestRedis, type TestRedis } from '@semaphore/testing';
import { type TaskRegistration, TaskStateStore } from './task-state.store';

function reg(taskId: number, over: Partial<TaskRegistration> = {}): TaskRegistration {
  return {
    taskId,
    projectId: 1,
    templateId: 1,
    allowParallel: false,
    projectMaxParallel: 0,
    runnerTag: null,
    ...over,
  };
}

describe('TaskStateStore (real Redis)', () => {
  let redis: TestRedis;
  const extra: Redis[] = [];

  beforeEach(async () => {
    redis = await createTestRedis();
  });

  afterEach(async () => {
    await Promise.all(extra.splice(0).map((c) => c.quit()));
    await redis.cleanup();
  });

  function store(): TaskStateStore {
    return new TaskStateStore(redis.client, redis.prefix);
  }

  /** A store on its own connection, as another api replica would have. */
  function replica(): TaskStateStore {
    const client = new Redis(redis.url);
    extra.push(client);
    return new TaskStateStore(client, redis.prefix);
  }

  it('admits in FIFO order up to the global limit, and the next one after a release', async () => {
    const s = store();
    for (const id of [3, 1, 2]) await s.register(reg(id, { templateId: id, allowParallel: true }));
    expect(await s.snapshot()).toEqual({ waiting: [1, 2, 3], active: [] });
    expect((await s.admit(2)).map((t) => t.taskId)).toEqual([1, 2]);
    expect(await s.admit(2)).toEqual([]);
    expect(await s.snapshot()).toEqual({ waiting: [3], active: [1, 2] });
    expect(await s.release(1)).toBe(true);
    expect(await s.admit(2)).toEqual([{ taskId: 3, projectId: 1, runnerTag: null }]);
  });

  it('global limit 0 means unlimited', async () => {
    const s = store();
    for (let id = 1; id <= 30; id++) await s.register(reg(id, { templateId: id }));
    expect(await s.admit(0)).toHaveLength(30);
  });

  it('runs one task per template unless the template allows parallel runs', async () => {
    const s = store();
    await s.register(reg(1, { templateId: 7 }));
    await s.register(reg(2, { templateId: 7 }));
    await s.register(reg(3, { templateId: 8, allowParallel: true }));
    await s.register(reg(4, { templateId: 8, allowParallel: true }));
    expect((await s.admit(0)).map((t) => t.taskId)).toEqual([1, 3, 4]);
    await s.release(1);
    expect((await s.admit(0)).map((t) => t.taskId)).toEqual([2]);
  });

  it('a blocked task blocks the later tasks of its template but not of other templates', async () => {
    const s = store();
    // Project 1 allows 1 task; template 5 (parallel) is in project 1 and 2 at once via its tasks' registrations.
    await s.register(reg(1, { projectId: 1, templateId: 5, allowParallel: true, projectMaxParallel: 1 }));
    await s.register(reg(2, { projectId: 1, templateId: 5, allowParallel: true, projectMaxParallel: 1 }));
    await s.register(reg(3, { projectId: 2, templateId: 5, allowParallel: true }));
    await s.register(reg(4, { projectId: 2, templateId: 6, allowParallel: true }));
    // 2 is blocked by its project: 3 (same template, later) must wait behind it; 4 (other template) goes.
    expect((await s.admit(0)).map((t) => t.taskId)).toEqual([1, 4]);
    await s.release(1);
    expect((await s.admit(0)).map((t) => t.taskId)).toEqual([2, 3]);
  });

  it('enforces the project limit (0 = unlimited) and returns project ids and tags', async () => {
    const s = store();
    for (let id = 1; id <= 5; id++) {
      await s.register(reg(id, { projectId: 9, templateId: 100 + id, projectMaxParallel: 2, runnerTag: 'gpu' }));
    }
    for (let id = 6; id <= 8; id++) await s.register(reg(id, { projectId: 10, templateId: 100 + id }));
    const admitted = await s.admit(0);
    expect(admitted).toEqual([
      { taskId: 1, projectId: 9, runnerTag: 'gpu' },
      { taskId: 2, projectId: 9, runnerTag: 'gpu' },
      { taskId: 6, projectId: 10, runnerTag: null },
      { taskId: 7, projectId: 10, runnerTag: null },
      { taskId: 8, projectId: 10, runnerTag: null },
    ]);
  });

  it('register and release are idempotent; releasing a waiting task removes it from the queue', async () => {
    const s = store();
    expect(await s.register(reg(1))).toBe(true);
    expect(await s.register(reg(1))).toBe(false);
    expect(await s.register(reg(2))).toBe(true);
    expect(await s.release(2)).toBe(true);
    expect(await s.release(2)).toBe(false);
    expect(await s.snapshot()).toEqual({ waiting: [1], active: [] });
    // A re-registered task keeps its FIFO place (scored by id).
    await s.admit(0);
    await s.release(1);
    await s.register(reg(5));
    await s.register(reg(1));
    expect((await s.snapshot()).waiting).toEqual([1, 5]);
  });

  it('registers a task directly as active (state rebuilt from PostgreSQL) and counts it', async () => {
    const s = store();
    await s.register(reg(1, { templateId: 3 }), 'active');
    await s.register(reg(2, { templateId: 3 }));
    expect(await s.admit(0)).toEqual([]);
    expect(await s.snapshot()).toEqual({ waiting: [2], active: [1] });
  });

  it('survives a script cache flush (EVALSHA falls back to EVAL)', async () => {
    const s = store();
    await s.register(reg(1));
    await redis.client.script('FLUSH');
    expect((await s.admit(0)).map((t) => t.taskId)).toEqual([1]);
  });

  it('registerAndAdmit registers a task and admits what fits, in one call', async () => {
    const s = store();
    await s.register(reg(1, { templateId: 4 }));
    expect(await s.registerAndAdmit(reg(2, { templateId: 4 }), 0)).toEqual([
      { taskId: 1, projectId: 1, runnerTag: null },
    ]);
    expect(await s.registerAndAdmit(reg(3, { templateId: 5, runnerTag: 'gpu' }), 0)).toEqual([
      { taskId: 3, projectId: 1, runnerTag: 'gpu' },
    ]);
    expect(await s.snapshot()).toEqual({ waiting: [2], active: [1, 3] });
  });

  it('releaseAndAdmit frees a slot and admits the next task of the template, in one call', async () => {
    const s = store();
    await s.register(reg(1, { templateId: 3 }));
    await s.register(reg(2, { templateId: 3 }));
    expect((await s.admit(0)).map((t) => t.taskId)).toEqual([1]);
    expect(await s.releaseAndAdmit(1, 0)).toEqual({
      released: true,
      admitted: [{ taskId: 2, projectId: 1, runnerTag: null }],
    });
    expect(await s.releaseAndAdmit(1, 0)).toEqual({ released: false, admitted: [] });
    await redis.client.script('FLUSH');
    expect(await s.releaseAndAdmit(2, 0)).toEqual({ released: true, admitted: [] });
    expect(await s.snapshot()).toEqual({ waiting: [], active: [] });
  });

  it('registerAndAdmit keeps what the pipelined admission took when only the registration script is unknown', async () => {
    const s = store();
    await s.register(reg(1, { templateId: 9 }));
    await s.register(reg(5, { templateId: 9 }));
    expect((await s.admit(0)).map((t) => t.taskId)).toEqual([1]);
    await redis.client.script('FLUSH');
    expect(await s.admit(0)).toEqual([]); // loads the admission script again, not the registration one
    expect(await s.release(1)).toBe(true);
    const admitted = await s.registerAndAdmit(reg(6, { templateId: 6 }), 0);
    expect(admitted.map((t) => t.taskId)).toEqual([5, 6]);
    expect(await s.snapshot()).toEqual({ waiting: [], active: [5, 6] });
  });

  it('never exceeds the limits with concurrent admissions from several connections, FIFO per template', async () => {
    // 20 waiting tasks: 2 projects (limit 3 and unlimited), 5 templates (2 of them parallel); global limit 4.
    const GLOBAL = 4;
    const projectMax: Record<number, number> = { 1: 3, 2: 0 };
    const templates = [
      { id: 11, projectId: 1, parallel: false },
      { id: 12, projectId: 1, parallel: true },
      { id: 13, projectId: 2, parallel: false },
      { id: 14, projectId: 2, parallel: true },
      { id: 15, projectId: 1, parallel: false },
    ];
    const byId = new Map<number, TaskRegistration>();
    const setup = store();
    for (let id = 1; id <= 20; id++) {
      const tpl = templates[(id * 7) % templates.length];
      const r = reg(id, {
        projectId: tpl.projectId,
        templateId: tpl.id,
        allowParallel: tpl.parallel,
        projectMaxParallel: projectMax[tpl.projectId],
      });
      byId.set(id, r);
      await setup.register(r);
    }
    const replicas = Array.from({ length: 5 }, () => replica());
    const admittedOrder: number[] = [];
    let rounds = 0;
    while (admittedOrder.length < 20) {
      if (++rounds > 200) throw new Error(`stuck after ${admittedOrder.length} admissions`);
      const results = await Promise.all(replicas.map((r) => r.admit(GLOBAL)));
      for (const list of results) admittedOrder.push(...list.map((t) => t.taskId));
      const { active } = await setup.snapshot();
      // Limits hold.
      expect(active.length).toBeLessThanOrEqual(GLOBAL);
      for (const [projectId, max] of Object.entries(projectMax)) {
        const count = active.filter((id) => byId.get(id)?.projectId === Number(projectId)).length;
        if (max > 0) expect(count).toBeLessThanOrEqual(max);
      }
      for (const tpl of templates.filter((t) => !t.parallel)) {
        expect(active.filter((id) => byId.get(id)?.templateId === tpl.id).length).toBeLessThanOrEqual(1);
      }
      // No task admitted twice; FIFO per template: what was admitted so far is a prefix of the template's tasks.
      expect(new Set(admittedOrder).size).toBe(admittedOrder.length);
      for (const tpl of templates) {
        const ids = [...byId.values()].filter((r) => r.templateId === tpl.id).map((r) => r.taskId);
        const admittedIds = ids.filter((id) => admittedOrder.includes(id));
        expect(admittedIds).toEqual(ids.slice(0, admittedIds.length));
      }
      // Finish some active tasks (the oldest half, at least one), from another connection.
      const finishing = active.slice(0, Math.max(1, Math.ceil(active.length / 2)));
      await Promise.all(finishing.map((id, i) => replicas[i % replicas.length].release(id)));
    }
    expect([...admittedOrder].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
