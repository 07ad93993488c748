import { Injectable } from '@nestjs/common';
import type { UserEntity } from '@semaphore/persistence';
import { badRequest } from '../../common/api-errors';
import { hashPassword, verifyPassword } from '../auth/password-hasher';
import { SessionRepository } from '../auth/session.repository';
import { passwordProblem } from './new-user.validation';
import { ReauthRateLimiter } from './reauth-rate-limiter';
import { UserRepository } from './user.repository';

export interface PasswordChange {
  caller: UserEntity;
  /** The caller's own session (cookie auth), kept alive when they change their own password. */
  callerSessionId?: number;
  target: UserEntity;
  password: string;
  currentPassword?: string;
}

/**
 * Password changes (SECURITY.md 7): one's own password needs the current one, an admin may reset anyone else's
 * without it. External (LDAP/OIDC) users have no password here. Afterwards the target's other sessions end.
 */
@Injectable()
export class UserPasswordService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly limiter: ReauthRateLimiter,
  ) {}

  async change(change: PasswordChange): Promise<void> {
    const hash = await this.checkedHash(change);
    await this.users.update(change.target.id, { password: hash });
    await this.endOtherSessions(change);
  }

  /** Every check of a password change, nothing written: the bcrypt hash of the new password. */
  async checkedHash(change: PasswordChange): Promise<string> {
    const { caller, target } = change;
    if (target.external) throw badRequest('password cannot be set for an external user');
    const problem = passwordProblem(change.password);
    if (problem) throw badRequest(problem);
    if (caller.id === target.id) await this.assertCurrentPassword(target, change.currentPassword);
    return hashPassword(change.password);
  }

  /** After the change, only the session that made it (one's own) survives. API tokens are kept, as upstream. */
  async endOtherSessions(change: PasswordChange): Promise<void> {
    const self = change.caller.id === change.target.id;
    await this.sessions.expireAllOfUser(change.target.id, self ? change.callerSessionId : undefined);
  }

  /** Re-authentication with the current password, rate limited per user; 400 naming `current_password` otherwise. */
  async assertCurrentPassword(user: UserEntity, currentPassword: string | undefined): Promise<void> {
    if (!currentPassword) throw badRequest('current_password is required to change your own password');
    await this.limiter.assertAllowed(user.id);
    if (!(await verifyPassword(currentPassword, user.password))) {
      await this.limiter.recordFailure(user.id);
      throw badRequest('current_password is wrong');
    }
    await this.limiter.reset(user.id);
  }
}
