import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { UserEntity } from '@semaphore/persistence';
import { CurrentUser } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import type { WireTotpEnrollment } from '../../wire';
import { DisableTotpDto } from './dto/user.dto';
import { UserTotpService } from './user-totp.service';

/** TOTP second factor of a user, at newest upstream's paths. */
@Controller('users/:user_id/2fas/totp')
export class UserTotpController {
  constructor(private readonly totp: UserTotpService) {}

  /** 200 `{id, url, secret, recovery_codes}`: the only time the secret and recovery codes are shown. */
  @Post()
  @HttpCode(200)
  enroll(@CurrentUser() caller: UserEntity, @Param('user_id', IdPipe) userId: number): Promise<WireTotpEnrollment> {
    return this.totp.enroll(caller, userId);
  }

  /** The QR code's content, the otpauth:// URL, as text (no image library here; clients render the QR). */
  @Get(':totp_id/qr')
  async qr(
    @CurrentUser() caller: UserEntity,
    @Param('user_id', IdPipe) userId: number,
    @Param('totp_id', IdPipe) totpId: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const url = await this.totp.url(caller, userId, totpId);
    // Set here, not with @Header: errors must stay JSON.
    res.type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
    return url;
  }

  /** 204; one's own TOTP needs `{"passcode": "123456"}`, an admin turns off anyone else's without it. */
  @Delete(':totp_id')
  @HttpCode(204)
  async disable(
    @CurrentUser() caller: UserEntity,
    @Param('user_id', IdPipe) userId: number,
    @Param('totp_id', IdPipe) totpId: number,
    @Body() body: DisableTotpDto,
  ): Promise<void> {
    await this.totp.disable(caller, userId, totpId, body.passcode);
  }
}
