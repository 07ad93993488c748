import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { SessionEntity } from '@semaphore/persistence';
import { ApiConfig } from '../../config';
import { SESSION_COOKIE } from './session-token.service';
import { SessionRepository } from './session.repository';

function fromSessionCookie(req: Request): string | null {
  const cookies = req.cookies as Record<string, string> | undefined;
  return cookies?.[SESSION_COOKIE] ?? null;
}

/** passport-jwt over the HttpOnly session cookie; the session row decides whether the JWT is still valid. */
@Injectable()
export class SessionJwtStrategy extends PassportStrategy(Strategy, 'session-jwt') {
  constructor(
    config: ApiConfig,
    private readonly sessions: SessionRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([fromSessionCookie]),
      secretOrKey: config.secrets.cookieHash.toString('base64'),
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: { sub?: string; sid?: number }): Promise<SessionEntity | false> {
    if (typeof payload.sid !== 'number' || typeof payload.sub !== 'string') return false;
    const session = await this.sessions.findActive(payload.sid);
    if (!session || String(session.userId) !== payload.sub || !session.user) return false;
    return session;
  }
}
