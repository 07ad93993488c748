import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { ApiConfig } from '../../config';
import { ApiTokenRepository } from '../auth/api-token.repository';
import { SessionRepository } from '../auth/session.repository';
import { SESSION_COOKIE, SessionTokenService } from '../auth/session-token.service';

/** Who opened a WebSocket. `stillValid` re-checks the credential (logout, expired token) on every ping. */
export interface WsPrincipal {
  userId: number;
  admin: boolean;
  method: 'cookie' | 'token';
  stillValid(): Promise<boolean>;
}

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * Authenticates a WebSocket upgrade like the HTTP guard does: `Authorization: bearer <token>` (an API token), or the
 * session cookie (a verified, live session). Upgrades authenticated by the cookie must come from our own origin when
 * they carry an Origin header (cross-site WebSocket hijacking; upstream accepts any origin).
 */
@Injectable()
export class WsAuthenticator {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly sessions: SessionRepository,
    private readonly sessionTokens: SessionTokenService,
    private readonly config: ApiConfig,
  ) {}

  async authenticate(req: IncomingMessage): Promise<WsPrincipal | null> {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
      return match ? this.byToken(match[1].toLowerCase()) : null;
    }
    if (!this.sameOrigin(req)) return null;
    return this.byCookie(cookieValue(req.headers.cookie, SESSION_COOKIE));
  }

  private async byToken(token: string): Promise<WsPrincipal | null> {
    const row = await this.tokens.findValid(token);
    if (!row?.user) return null;
    return {
      userId: row.user.id,
      admin: row.user.admin,
      method: 'token',
      stillValid: async () => (await this.tokens.findValid(token)) !== null,
    };
  }

  private async byCookie(credential: string | undefined): Promise<WsPrincipal | null> {
    const claims = this.sessionTokens.read(credential);
    if (!claims) return null;
    const valid = async () => {
      const session = await this.sessions.findActive(claims.sid);
      return session?.user && session.userId === claims.sub && session.verified ? session : null;
    };
    const session = await valid();
    if (!session?.user) return null;
    return {
      userId: session.user.id,
      admin: session.user.admin,
      method: 'cookie',
      stillValid: async () => (await valid()) !== null,
    };
  }

  private sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    try {
      const host = new URL(origin).host;
      return host === req.headers.host || host === new URL(this.config.http.webRoot).host;
    } catch {
      return false;
    }
  }
}
