import { Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from '@semaphore/persistence';
import { ApiConfig } from '../../config';
import { LoginRateLimiter } from './login-rate-limiter';
import { verifyPassword } from './password-hasher';
import { SessionRepository } from './session.repository';
import { SessionTokenService } from './session-token.service';
import { TotpService } from './totp.service';

export interface LoginResult {
  credential: string;
  /** false when the account has TOTP and the second factor is still missing. */
  verified: boolean;
}

const rejected = () => new UnauthorizedException({ error: 'wrong login or password' });

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly sessions: SessionRepository,
    private readonly sessionTokens: SessionTokenService,
    private readonly limiter: LoginRateLimiter,
    private readonly totp: TotpService,
    private readonly config: ApiConfig,
  ) {}

  async login(auth: string, password: string, address: string, userAgent: string): Promise<LoginResult> {
    if (this.config.auth.passwordLoginDisabled)
      throw new UnauthorizedException({ error: 'password login is disabled' });
    const login = auth.trim().toLowerCase();
    await this.limiter.assertAllowed(login, address);
    const user = await this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = :login OR lower(u.email) = :login', { login })
      .getOne();
    const ok = user !== null && !user.external && (await verifyPassword(password, user.password));
    if (!user || !ok) {
      await this.limiter.recordFailure(login, address);
      throw rejected();
    }
    await this.limiter.reset(login);
    const verified = !this.totp.isEnabled(user);
    const session = await this.sessions.create(user.id, address, userAgent, verified);
    return { credential: this.sessionTokens.sign({ sub: user.id, sid: session.id }), verified };
  }

  async verifySecondFactor(user: UserEntity, sessionId: number, passcode: string): Promise<void> {
    if (!this.totp.verifyPasscode(user, passcode)) throw new UnauthorizedException({ error: 'wrong passcode' });
    await this.sessions.markVerified(sessionId);
  }

  async recover(user: UserEntity, sessionId: number, code: string): Promise<void> {
    if (!(await this.totp.useRecoveryCode(user, code))) {
      throw new UnauthorizedException({ error: 'wrong or already used recovery code' });
    }
    await this.sessions.markVerified(sessionId);
  }

  async logout(sessionId: number | undefined): Promise<void> {
    if (sessionId !== undefined) await this.sessions.expire(sessionId);
  }
}
