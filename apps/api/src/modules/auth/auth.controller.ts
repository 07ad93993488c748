import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { AllowUnverifiedSession, CurrentUser, Public } from '../../common/decorators';
import { contextOf } from '../../common/request-context';
import { ApiConfig } from '../../config';
import type { UserEntity } from '@semaphore/persistence';
import { AuthService } from './auth.service';
import { LoginDto, RecoveryCodeDto, VerifyPasscodeDto } from './dto/login.dto';
import { SESSION_COOKIE, SessionTokenService, UI_COOKIE } from './session-token.service';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: ApiConfig,
    private readonly sessionTokens: SessionTokenService,
  ) {}

  /** Login page metadata, as upstream (no OIDC providers are configured here). */
  @Public()
  @Get('login')
  metadata() {
    return { oidc_providers: [], login_with_password: !this.config.auth.passwordLoginDisabled };
  }

  /** `{auth, password}` -> 204 and the session cookies; 401 on a wrong login; 429 after too many failures. */
  @Public()
  @Post('login')
  @HttpCode(204)
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const result = await this.auth.login(body.auth, body.password, req.ip ?? '', req.headers['user-agent'] ?? '');
    this.setCookies(res, result.credential);
  }

  /** Ends the server-side session (if any) and clears the cookies. */
  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(this.sessionIdFromCookie(req));
    const expired: CookieOptions = { ...this.cookieOptions(), expires: new Date(0) };
    res.cookie(SESSION_COOKIE, '', { ...expired, httpOnly: true });
    res.cookie(UI_COOKIE, '', expired);
  }

  /** Second factor: `{passcode}` from the authenticator app completes a session of a TOTP account. */
  @AllowUnverifiedSession()
  @Post('verify')
  @HttpCode(204)
  async verify(@CurrentUser() user: UserEntity, @Body() body: VerifyPasscodeDto, @Req() req: Request): Promise<void> {
    await this.auth.verifySecondFactor(user, this.sessionId(req), body.passcode);
  }

  /** Second factor with a one-time recovery code instead of a passcode. */
  @AllowUnverifiedSession()
  @Post('recovery')
  @HttpCode(204)
  async recovery(@CurrentUser() user: UserEntity, @Body() body: RecoveryCodeDto, @Req() req: Request): Promise<void> {
    await this.auth.recover(user, this.sessionId(req), body.recovery_code);
  }

  private sessionId(req: Request): number {
    const id = contextOf(req).sessionId;
    if (id === undefined) throw new Error('second-factor routes need a session cookie');
    return id;
  }

  private sessionIdFromCookie(req: Request): number | undefined {
    const cookies = req.cookies as Record<string, string> | undefined;
    return this.sessionTokens.read(cookies?.[SESSION_COOKIE])?.sid;
  }

  private cookieOptions(): CookieOptions {
    return { path: '/', sameSite: 'lax', secure: this.config.http.webRoot.startsWith('https:') };
  }

  private setCookies(res: Response, credential: string): void {
    res.cookie(SESSION_COOKIE, credential, { ...this.cookieOptions(), httpOnly: true });
    // Visible to JavaScript, no secret: the upstream UI checks `document.cookie.includes('semaphore=')`.
    res.cookie(UI_COOKIE, '1', { ...this.cookieOptions(), httpOnly: false });
  }
}
