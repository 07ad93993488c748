import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../common/decorators';
import { RedisHealthIndicator } from './redis.health';

/**
 * Readiness: 200 when PostgreSQL and Redis answer; 503 with `error.<database|redis>` naming each one that does not.
 * The terminus report is sent as is (not through the `{"error": "..."}` filter), so probes and people see details.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Public()
  @Get()
  async check(@Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    try {
      res.status(200).json(await this.runChecks());
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503).json(err.getResponse() as HealthCheckResult);
    }
  }

  private runChecks(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.redis.check('redis'),
    ]);
  }
}
