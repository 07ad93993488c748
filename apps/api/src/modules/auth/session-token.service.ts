import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

export interface SessionClaims {
  /** user id */
  sub: number;
  /** session id */
  sid: number;
}

export const SESSION_COOKIE = 'semaphore_session';
/** The upstream UI only checks that a cookie with this name is visible to JavaScript; it carries no secret. */
export const UI_COOKIE = 'semaphore';

/** Signs and reads the session credential (a JWT, HS256 with SEMAPHORE_COOKIE_HASH). Revocation is the session row. */
@Injectable()
export class SessionTokenService {
  constructor(private readonly jwt: JwtService) {}

  sign(claims: SessionClaims): string {
    return this.jwt.sign({ sub: String(claims.sub), sid: claims.sid });
  }

  /** The claims of a valid credential, or null (bad signature, malformed, expired). */
  read(credential: string | undefined): SessionClaims | null {
    if (!credential) return null;
    try {
      const payload = this.jwt.verify<{ sub?: unknown; sid?: unknown }>(credential, { algorithms: ['HS256'] });
      if (typeof payload.sid !== 'number' || typeof payload.sub !== 'string') return null;
      return { sub: Number(payload.sub), sid: payload.sid };
    } catch {
      return null;
    }
  }
}
