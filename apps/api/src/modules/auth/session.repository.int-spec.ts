import { SessionEntity } from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';
import { SESSION_IDLE_MS, SessionRepository } from './session.repository';

describe('SessionRepository (real PostgreSQL)', () => {
  let db: TestDatabase;
  let sessions: SessionRepository;
  let userId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    sessions = new SessionRepository(db.dataSource.getRepository(SessionEntity));
    userId = (await new Factories(db.dataSource).user()).id;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('keeps a session alive while it is used and expires it after 7 idle days', async () => {
    const session = await sessions.create(userId, '127.0.0.1', 'jest', true);
    const start = session.lastActive.getTime();
    expect(await sessions.findActive(session.id, new Date(start + SESSION_IDLE_MS - 60_000))).not.toBeNull();
    // That use moved last_active forward: the 7 days count from there.
    expect(await sessions.findActive(session.id, new Date(start + SESSION_IDLE_MS + 30_000))).not.toBeNull();
    expect(await sessions.findActive(session.id, new Date(start + 2 * SESSION_IDLE_MS + 60_000))).toBeNull();
    const row = await db.dataSource.getRepository(SessionEntity).findOneByOrFail({ id: session.id });
    expect(row.expired).toBe(true);
  });

  it('never revives an expired (logged out) session', async () => {
    const session = await sessions.create(userId, '127.0.0.1', 'jest', true);
    await sessions.expire(session.id);
    expect(await sessions.findActive(session.id)).toBeNull();
  });

  it('expires all sessions of a user but the one kept', async () => {
    const keep = await sessions.create(userId, '', '', true);
    const other = await sessions.create(userId, '', '', true);
    await sessions.expireAllOfUser(userId, keep.id);
    expect(await sessions.findActive(keep.id)).not.toBeNull();
    expect(await sessions.findActive(other.id)).toBeNull();
  });
});
