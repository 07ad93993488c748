import { Body, Controller, Get, HttpCode, Logger, Post } from '@nestjs/common';
import type { WireProject } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, forbidden, notFound } from '../../common/api-errors';
import { CurrentProject, CurrentUser } from '../../common/decorators';
import { ApiConfig } from '../../config';
import { RedisAvailability } from '../../redis/redis.module';
import { toWireProject } from '../../wire';
import { ScheduleFiringService } from '../schedule-firing/schedule-firing.service';
import type { BackupFormat } from './backup-format';
import { BackupExportService } from './backup-export.service';
import { BackupRestoreService } from './backup-restore.service';
import { BackupValidationError } from './backup-shape';
import type { RestorePlan } from './restore-plan';

/** `GET P/backup` and `POST /api/projects/restore` (reference §6.4). */
@Controller()
export class BackupController {
  private readonly logger = new Logger(BackupController.name);

  constructor(
    private readonly exporter: BackupExportService,
    private readonly restorer: BackupRestoreService,
    private readonly firing: ScheduleFiringService,
    private readonly redis: RedisAvailability,
    private readonly config: ApiConfig,
  ) {}

  /** Every member may read it, guests included, as upstream (it holds no secret; members can read all of it anyway). */
  @Get('project/:project_id/backup')
  async backup(@CurrentProject() project: ProjectEntity): Promise<BackupFormat> {
    const backup = await this.exporter.export(project.id);
    if (!backup) throw notFound('Project');
    return backup;
  }

  /**
   * 200 with the new Project, the caller as its owner. Needs the right to create a project (upstream lets any user
   * restore). The backup is the raw JSON body; a problem anywhere is a 400 naming its path and creates nothing.
   */
  @Post('projects/restore')
  @HttpCode(200)
  async restore(@CurrentUser() user: UserEntity, @Body() body: unknown): Promise<WireProject> {
    if (!user.admin && !this.config.auth.nonAdminCanCreateProject) {
      throw forbidden('only administrators can create projects');
    }
    const plan = this.checked(body);
    // Schedules go to Redis right after the commit: refuse (503) before anything is written while it is down.
    if (plan.templates.some((t) => t.cron !== null)) await this.redis.require();
    const restored = await this.restorer.write(plan, user.id);
    for (const id of restored.scheduleIds) {
      // The rows are committed; a schedule Redis did not take is registered at the next api start.
      await this.firing
        .sync(id)
        .catch((err: unknown) => this.logger.warn(`schedule ${id} not synchronised: ${String(err)}`));
    }
    return toWireProject(restored.project);
  }

  private checked(body: unknown): RestorePlan {
    try {
      return this.restorer.plan(body ?? null);
    } catch (err) {
      if (err instanceof BackupValidationError) throw badRequest(err.message);
      throw err;
    }
  }
}
