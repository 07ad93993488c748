import { TaskOutputEntity } from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';
import { copyLines } from './copy-lines';

describe('copyLines (real PostgreSQL)', () => {
  let db: TestDatabase;
  let f: Factories;

  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Factories(db.dataSource);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const stored = (taskId: number) =>
    db.dataSource.getRepository(TaskOutputEntity).find({ where: { taskId }, order: { seq: 'ASC' } });

  it('COPYs the lines on the connection of a transaction', async () => {
    const task = await f.task(await f.template((await f.project()).id));
    const time = new Date('2026-12-04T10:11:12.345Z');
    const lines = Array.from({ length: 3000 }, (_, i) => ({ taskId: task.id, seq: i + 1, time, output: `l\t${i}` }));
    const used = await db.dataSource.transaction((em) => copyLines(em, lines));
    expect(used).toBe(true);
    const rows = await stored(task.id);
    expect(rows).toHaveLength(3000);
    expect(rows[2999]).toMatchObject({ seq: 3000, output: 'l\t2999' });
    expect(rows[0].time.toISOString()).toBe('2026-12-04T10:11:12.345Z');
  });

  it('does nothing without a connection of its own; a line that exists fails the COPY with a unique violation', async () => {
    const task = await f.task(await f.template((await f.project()).id));
    const line = { taskId: task.id, seq: 1, time: new Date(), output: 'x' };
    expect(await copyLines(db.dataSource.manager, [line])).toBe(false);
    expect(await stored(task.id)).toEqual([]);
    await db.dataSource.transaction((em) => copyLines(em, [line]));
    await expect(db.dataSource.transaction((em) => copyLines(em, [line]))).rejects.toMatchObject({ code: '23505' });
    expect(await stored(task.id)).toHaveLength(1);
  });
});
