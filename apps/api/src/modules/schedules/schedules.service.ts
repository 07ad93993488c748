import { Injectable } from '@nestjs/common';
import type { WireSchedule, WireScheduleWithTpl } from '@semaphore/models';
import type { ProjectEntity, ScheduleEntity, UserEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import { fromWireSchedule, toWireSchedule, toWireScheduleWithTpl } from '../../wire';
import { RedisAvailability } from '../../redis/redis.module';
import { EventsService } from '../events/events.service';
import { ScheduleFiringService } from '../schedule-firing/schedule-firing.service';
import { cronFormatProblem } from './cron-format';
import type { ScheduleDto } from './dto/schedule.dto';
import { type ScheduleRow, SchedulesRepository } from './schedules.repository';

@Injectable()
export class SchedulesService {
  constructor(
    private readonly repo: SchedulesRepository,
    private readonly events: EventsService,
    private readonly firing: ScheduleFiringService,
    private readonly redis: RedisAvailability,
  ) {}

  async list(projectId: number): Promise<WireScheduleWithTpl[]> {
    const schedules = await this.repo.listWithTemplate(projectId);
    return schedules.map((s) => toWireScheduleWithTpl(s, { tplName: s.template?.name ?? '' }));
  }

  /** `GET P/templates/{id}/schedules`: 404 unless the template is one of the project's. */
  async listForTemplate(projectId: number, templateId: number): Promise<WireSchedule[]> {
    if (!(await this.repo.templateInProject(projectId, templateId))) throw notFound('Template');
    return (await this.repo.listForTemplate(projectId, templateId)).map(toWireSchedule);
  }

  async get(projectId: number, id: number): Promise<ScheduleEntity> {
    const schedule = await this.repo.findInProject(projectId, id);
    if (!schedule) throw notFound('Schedule');
    return schedule;
  }

  async create(project: ProjectEntity, user: UserEntity, dto: ScheduleDto): Promise<WireSchedule> {
    checkBodyIds(dto, project.id, null);
    const row = await this.checkedRow(project.id, dto);
    await this.redis.require();
    const schedule = await this.repo.create(project.id, row);
    await this.firing.sync(schedule.id);
    await this.log(project, user, schedule, 'created');
    return toWireSchedule(schedule);
  }

  async update(project: ProjectEntity, user: UserEntity, id: number, dto: ScheduleDto): Promise<void> {
    const schedule = await this.get(project.id, id);
    checkBodyIds(dto, project.id, id);
    const row = await this.checkedRow(project.id, dto);
    await this.redis.require();
    await this.repo.update(schedule, row);
    await this.firing.sync(schedule.id);
    await this.log(project, user, { ...schedule, ...row }, 'updated');
  }

  async setActive(project: ProjectEntity, user: UserEntity, id: number, active: boolean): Promise<void> {
    const schedule = await this.get(project.id, id);
    await this.redis.require();
    await this.repo.setActive(schedule, active);
    await this.firing.sync(schedule.id);
    await this.log(project, user, schedule, active ? 'activated' : 'deactivated');
  }

  async delete(project: ProjectEntity, user: UserEntity, id: number): Promise<void> {
    const schedule = await this.get(project.id, id);
    await this.redis.require();
    await this.repo.delete(schedule);
    await this.firing.sync(schedule.id);
    await this.log(project, user, schedule, 'deleted');
  }

  /** 400 `{"error": "Cron: ..."}` unless the format is valid. */
  validateCron(cronFormat: string): void {
    const problem = cronFormatProblem(cronFormat);
    if (problem !== null) throw badRequest(`Cron: ${problem}`);
  }

  /** Upstream fields absent from the body take Go's zero values (`active` false, `name` ''). */
  private async checkedRow(projectId: number, dto: ScheduleDto): Promise<ScheduleRow> {
    const w = fromWireSchedule(dto);
    const row: ScheduleRow = {
      templateId: w.templateId ?? 0,
      cronFormat: (w.cronFormat ?? '').trim(),
      name: w.name ?? '',
      active: w.active ?? false,
      repositoryId: w.repositoryId ?? null,
    };
    this.validateCron(row.cronFormat);
    if (!(await this.repo.templateInProject(projectId, row.templateId))) {
      throw badRequest('template_id does not refer to a template of this project');
    }
    if (row.repositoryId !== null && !(await this.repo.repositoryInProject(projectId, row.repositoryId))) {
      throw badRequest('repository_id does not refer to a repository of this project');
    }
    return row;
  }

  private log(project: ProjectEntity, user: UserEntity, schedule: Pick<ScheduleEntity, 'id' | 'name'>, verb: string) {
    const label = schedule.name === '' ? `ID ${schedule.id}` : schedule.name;
    return this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'schedule',
      objectId: schedule.id,
      description: `Schedule ${label} ${verb}`,
    });
  }
}

function checkBodyIds(dto: ScheduleDto, projectId: number, id: number | null): void {
  if (dto.project_id !== undefined && dto.project_id !== 0 && dto.project_id !== projectId) {
    throw badRequest('project_id in the body must be the project of the URL');
  }
  if (id !== null && dto.id !== undefined && dto.id !== 0 && dto.id !== id) {
    throw badRequest('id in the body must be the schedule id of the URL');
  }
}
