import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { TemplateEntity, ViewEntity } from '@semaphore/persistence';

/** Every query of the views feature. */
@Injectable()
export class ViewsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(ViewEntity) private readonly views: Repository<ViewEntity>,
  ) {}

  list(projectId: number): Promise<ViewEntity[]> {
    return this.views.find({ where: { projectId }, order: { position: 'ASC', id: 'ASC' } });
  }

  findInProject(projectId: number, id: number): Promise<ViewEntity | null> {
    return this.views.findOneBy({ id, projectId });
  }

  create(projectId: number, fields: Pick<ViewEntity, 'title' | 'position'>): Promise<ViewEntity> {
    return this.views.save(this.views.create({ ...fields, projectId }));
  }

  async update(view: ViewEntity, fields: Pick<ViewEntity, 'title' | 'position'>): Promise<void> {
    await this.views.update({ id: view.id, projectId: view.projectId }, fields);
  }

  /** Templates of the view are kept, with `view_id` null (as upstream). */
  async delete(view: ViewEntity): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.getRepository(TemplateEntity).update({ viewId: view.id, projectId: view.projectId }, { viewId: null });
      await em.getRepository(ViewEntity).delete({ id: view.id, projectId: view.projectId });
    });
  }

  /** The ids among `ids` that are views of the project. */
  async idsInProject(projectId: number, ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.views.find({ select: { id: true }, where: { projectId, id: In(ids) } });
    return new Set(rows.map((r) => r.id));
  }

  async setPositions(projectId: number, positions: Map<number, number>): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      for (const [id, position] of positions) {
        await em.getRepository(ViewEntity).update({ id, projectId }, { position });
      }
    });
  }
}
