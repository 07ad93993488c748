import { Injectable } from '@nestjs/common';
import type { UserEntity } from '@semaphore/persistence';
import { badRequest, conflict, forbidden, notFound } from '../../common/api-errors';
import { TotpService } from '../auth/totp.service';
import { toWireTotpEnrollment, type WireTotpEnrollment } from '../../wire';
import { ReauthRateLimiter } from './reauth-rate-limiter';
import { UsersService } from './users.service';

/**
 * TOTP enrollment of `/api/users/{id}/2fas/totp`. One TOTP per user, so its id is the user id. Only the user
 * themself enrolls or reads the otpauth URL (it holds the secret); turning it off needs a current passcode, except
 * for an admin turning off someone else's (a lost phone).
 */
@Injectable()
export class UserTotpService {
  constructor(
    private readonly users: UsersService,
    private readonly totp: TotpService,
    private readonly limiter: ReauthRateLimiter,
  ) {}

  async enroll(caller: UserEntity, userId: number): Promise<WireTotpEnrollment> {
    const user = await this.ownAccount(caller, userId);
    if (this.totp.isEnabled(user)) throw conflict('TOTP is already enabled; turn it off first');
    return toWireTotpEnrollment(user.id, await this.totp.enroll(user));
  }

  /** The otpauth:// URL (the QR code's content) of the caller's own TOTP. */
  async url(caller: UserEntity, userId: number, totpId: number): Promise<string> {
    const user = await this.ownAccount(caller, userId);
    const url = totpId === user.id ? this.totp.otpauthUrl(user) : null;
    if (!url) throw notFound('TOTP');
    return url;
  }

  async disable(caller: UserEntity, userId: number, totpId: number, passcode: string | undefined): Promise<void> {
    const user = await this.users.target(caller, userId);
    if (totpId !== user.id || !this.totp.isEnabled(user)) throw notFound('TOTP');
    if (caller.id === user.id) await this.assertPasscode(user, passcode);
    await this.totp.disable(user.id);
  }

  private async ownAccount(caller: UserEntity, userId: number): Promise<UserEntity> {
    if (caller.id !== userId) throw forbidden('only the user themself can manage their TOTP');
    return this.users.target(caller, userId);
  }

  private async assertPasscode(user: UserEntity, passcode: string | undefined): Promise<void> {
    if (!passcode) throw badRequest('passcode is required to turn off your own TOTP');
    await this.limiter.assertAllowed(user.id);
    if (!this.totp.verifyPasscode(user, passcode)) {
      await this.limiter.recordFailure(user.id);
      throw badRequest('passcode is wrong');
    }
    await this.limiter.reset(user.id);
  }
}
