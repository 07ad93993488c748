import { type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import type { SessionEntity } from '@semaphore/persistence';
import { ADMIN_ONLY, PUBLIC_ROUTE, UNVERIFIED_SESSION_ALLOWED } from '../../common/decorators';
import { forbidden } from '../../common/api-errors';
import { contextOf } from '../../common/request-context';
import { ApiConfig } from '../../config';
import { ApiTokenRepository } from './api-token.repository';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function unauthorized(message: string): UnauthorizedException {
  return new UnauthorizedException({ error: message });
}

/**
 * Authenticates every route not marked @Public: an API token (`Authorization: bearer <token>`, scheme in any case)
 * or the session cookie (passport-jwt + a live session row). Then: sessions waiting for their second factor reach
 * only the TOTP routes; cookie-authenticated writes from a foreign Origin are refused; @AdminOnly routes need an admin.
 * A rejected request never reaches its handler.
 */
@Injectable()
export class ApiAuthGuard extends AuthGuard('session-jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenRepository,
    private readonly config: ApiConfig,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const ctx = contextOf(req);

    const bearer = this.bearerToken(req);
    if (bearer !== undefined) {
      const token = bearer ? await this.tokens.findValid(bearer) : null;
      if (!token?.user) throw unauthorized('invalid or expired API token');
      ctx.user = token.user;
      ctx.authMethod = 'token';
    } else {
      await super.canActivate(context);
      const session = req.user as SessionEntity | undefined;
      if (!session?.user) throw unauthorized('not logged in');
      if (!session.verified && !this.reflector.getAllAndOverride<boolean>(UNVERIFIED_SESSION_ALLOWED, targets)) {
        throw unauthorized('second factor required: POST /api/auth/verify');
      }
      ctx.user = session.user;
      ctx.sessionId = session.id;
      ctx.authMethod = 'cookie';
      this.refuseForeignOrigin(req);
    }

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !ctx.user.admin) {
      throw forbidden('administrators only');
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err || !user) throw unauthorized('not logged in');
    return user;
  }

  /** undefined: no bearer credential at all; '' : a bearer header without a token. */
  private bearerToken(req: Request): string | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const match = /^\s*bearer\s+(\S*)\s*$/i.exec(header);
    if (!match) return '';
    return match[1].toLowerCase();
  }

  /** Cookie-authenticated writes must come from our own origin (CSRF). Requests without Origin are not browsers'. */
  private refuseForeignOrigin(req: Request): void {
    if (SAFE_METHODS.has(req.method)) return;
    const origin = req.headers.origin;
    if (!origin) return;
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      throw forbidden('cross-site request refused');
    }
    const allowed = new Set([req.headers.host, new URL(this.config.http.webRoot).host]);
    if (!allowed.has(originHost)) throw forbidden('cross-site request refused');
  }
}
