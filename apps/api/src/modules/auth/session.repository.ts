import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SessionEntity } from '@semaphore/persistence';

/** Sessions idle-expire after 7 days, as upstream. */
export const SESSION_IDLE_MS = 7 * 24 * 3600 * 1000;
/** last_active is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

@Injectable()
export class SessionRepository {
  constructor(@InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>) {}

  create(userId: number, ip: string, userAgent: string, verified: boolean): Promise<SessionEntity> {
    return this.sessions.save(
      this.sessions.create({
        userId,
        ip: ip.slice(0, 64),
        userAgent: userAgent.slice(0, 1024),
        verified,
        expired: false,
        lastActive: new Date(),
      }),
    );
  }

  /** The session if it exists, is not expired and was active within the idle window (it is expired otherwise). */
  async findActive(id: number, now = new Date()): Promise<SessionEntity | null> {
    const session = await this.sessions.findOne({ where: { id }, relations: { user: true } });
    if (!session || session.expired) return null;
    if (now.getTime() - session.lastActive.getTime() > SESSION_IDLE_MS) {
      await this.sessions.update({ id }, { expired: true });
      return null;
    }
    if (now.getTime() - session.lastActive.getTime() > TOUCH_EVERY_MS) {
      await this.sessions.update({ id }, { lastActive: now });
    }
    return session;
  }

  async markVerified(id: number): Promise<void> {
    await this.sessions.update({ id }, { verified: true, lastActive: new Date() });
  }

  async expire(id: number): Promise<void> {
    await this.sessions.update({ id }, { expired: true });
  }

  async expireAllOfUser(userId: number, exceptId?: number): Promise<void> {
    const qb = this.sessions
      .createQueryBuilder()
      .update()
      .set({ expired: true })
      .where('user_id = :userId', { userId });
    if (exceptId !== undefined) qb.andWhere('id <> :exceptId', { exceptId });
    await qb.execute();
  }
}
