import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { RepositoryEntity, ScheduleEntity, TemplateEntity } from '@semaphore/persistence';

export type ScheduleRow = Pick<ScheduleEntity, 'templateId' | 'cronFormat' | 'name' | 'active' | 'repositoryId'>;

/** Every query of the schedules feature. */
@Injectable()
export class SchedulesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(ScheduleEntity) private readonly schedules: Repository<ScheduleEntity>,
  ) {}

  /** The project's schedules with their template (for `tpl_name`). */
  listWithTemplate(projectId: number): Promise<ScheduleEntity[]> {
    return this.schedules.find({ where: { projectId }, relations: { template: true }, order: { id: 'ASC' } });
  }

  listForTemplate(projectId: number, templateId: number): Promise<ScheduleEntity[]> {
    return this.schedules.find({ where: { projectId, templateId }, order: { id: 'ASC' } });
  }

  findInProject(projectId: number, id: number): Promise<ScheduleEntity | null> {
    return this.schedules.findOneBy({ id, projectId });
  }

  templateInProject(projectId: number, id: number): Promise<boolean> {
    return this.dataSource.getRepository(TemplateEntity).existsBy({ id, projectId });
  }

  repositoryInProject(projectId: number, id: number): Promise<boolean> {
    return this.dataSource.getRepository(RepositoryEntity).existsBy({ id, projectId });
  }

  create(projectId: number, row: ScheduleRow): Promise<ScheduleEntity> {
    return this.schedules.save(this.schedules.create({ ...row, projectId }));
  }

  /** As upstream, an update forgets the last seen commit. */
  async update(schedule: ScheduleEntity, row: ScheduleRow): Promise<void> {
    await this.schedules.update({ id: schedule.id, projectId: schedule.projectId }, { ...row, lastCommitHash: null });
  }

  async setActive(schedule: ScheduleEntity, active: boolean): Promise<void> {
    await this.schedules.update({ id: schedule.id, projectId: schedule.projectId }, { active });
  }

  async delete(schedule: ScheduleEntity): Promise<void> {
    await this.schedules.delete({ id: schedule.id, projectId: schedule.projectId });
  }
}
