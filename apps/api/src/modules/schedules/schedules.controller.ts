import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { Permission, type WireSchedule, type WireScheduleWithTpl } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { toWireSchedule } from '../../wire';
import { CronFormatDto, ScheduleActiveDto, ScheduleDto } from './dto/schedule.dto';
import { SchedulesService } from './schedules.service';

@Controller('project/:project_id/schedules')
@RequirePermission(Permission.ManageProjectResources)
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  /** With `tpl_name`. */
  @Get()
  list(@CurrentProject() project: ProjectEntity): Promise<WireScheduleWithTpl[]> {
    return this.schedules.list(project.id);
  }

  @Post()
  @HttpCode(201)
  create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Body() body: ScheduleDto,
  ): Promise<WireSchedule> {
    return this.schedules.create(project, user, body);
  }

  /** 200 with an empty body when valid, as upstream; 400 `{"error": "Cron: ..."}` otherwise. */
  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: CronFormatDto): void {
    this.schedules.validateCron(body.cron_format ?? '');
  }

  @Get(':schedule_id')
  async get(
    @CurrentProject() project: ProjectEntity,
    @Param('schedule_id', IdPipe) scheduleId: number,
  ): Promise<WireSchedule> {
    return toWireSchedule(await this.schedules.get(project.id, scheduleId));
  }

  /** Resets `last_commit_hash`. */
  @Put(':schedule_id')
  @HttpCode(204)
  async update(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('schedule_id', IdPipe) scheduleId: number,
    @Body() body: ScheduleDto,
  ): Promise<void> {
    await this.schedules.update(project, user, scheduleId, body);
  }

  @Put(':schedule_id/active')
  @HttpCode(204)
  async setActive(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('schedule_id', IdPipe) scheduleId: number,
    @Body() body: ScheduleActiveDto,
  ): Promise<void> {
    await this.schedules.setActive(project, user, scheduleId, body.active);
  }

  @Delete(':schedule_id')
  @HttpCode(204)
  async delete(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @Param('schedule_id', IdPipe) scheduleId: number,
  ): Promise<void> {
    await this.schedules.delete(project, user, scheduleId);
  }
}

/** `GET P/templates/{id}/schedules`. */
@Controller('project/:project_id/templates/:template_id/schedules')
export class TemplateSchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  list(
    @CurrentProject() project: ProjectEntity,
    @Param('template_id', IdPipe) templateId: number,
  ): Promise<WireSchedule[]> {
    return this.schedules.listForTemplate(project.id, templateId);
  }
}
