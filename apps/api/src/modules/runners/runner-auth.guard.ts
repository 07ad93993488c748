import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { RUNNER_TOKEN_HEADER } from '@semaphore/models';
import type { RunnerEntity } from '@semaphore/persistence';
import { forbidden } from '../../common/api-errors';
import { hashToken } from './runner-tokens';
import { RunnersRepository } from './runners.repository';

type RunnerRequest = Request & { runner?: RunnerEntity };

/**
 * Authenticates a runner by its `X-Runner-Token` header (looked up by SHA-256): 401 when missing, 404 when unknown
 * (as upstream), 403 when the runner is deactivated. Used on the internal routes, which are @Public for users.
 */
@Injectable()
export class RunnerAuthGuard implements CanActivate {
  constructor(private readonly runners: RunnersRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<RunnerRequest>();
    const header = req.headers[RUNNER_TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    if (!token) throw new UnauthorizedException({ error: 'Invalid token' });
    const runner = await this.runners.findByTokenHash(hashToken(token));
    if (!runner) throw new NotFoundException({ error: 'Runner not found' });
    if (!runner.active) throw forbidden('Runner is not active');
    req.runner = runner;
    return true;
  }
}

/** The runner authenticated by RunnerAuthGuard. */
export const CurrentRunner = createParamDecorator((_: unknown, ctx: ExecutionContext): RunnerEntity => {
  const runner = ctx.switchToHttp().getRequest<RunnerRequest>().runner;
  if (!runner) throw new Error('CurrentRunner used without RunnerAuthGuard');
  return runner;
});
