import { Injectable } from '@nestjs/common';
import type { WireTemplate, WireView } from '@semaphore/models';
import type { ProjectEntity, UserEntity, ViewEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import { fromWireView, toWireView } from '../../wire';
import { EventsService } from '../events/events.service';
import { templateListOrder } from '../templates/dto/template-query.dto';
import { TemplatesService } from '../templates/templates.service';
import type { ViewDto } from './dto/view.dto';
import { ViewsRepository } from './views.repository';

const MAX_INT = 2_147_483_647;

@Injectable()
export class ViewsService {
  constructor(
    private readonly repo: ViewsRepository,
    private readonly templates: TemplatesService,
    private readonly events: EventsService,
  ) {}

  async list(projectId: number): Promise<WireView[]> {
    return (await this.repo.list(projectId)).map(toWireView);
  }

  async get(projectId: number, id: number): Promise<ViewEntity> {
    const view = await this.repo.findInProject(projectId, id);
    if (!view) throw notFound('View');
    return view;
  }

  async create(project: ProjectEntity, user: UserEntity, dto: ViewDto): Promise<WireView> {
    checkBodyIds(dto, project.id, null);
    const view = await this.repo.create(project.id, fieldsOf(dto));
    await this.log(project, user, view, 'created');
    return toWireView(view);
  }

  async update(project: ProjectEntity, user: UserEntity, id: number, dto: ViewDto): Promise<void> {
    const view = await this.get(project.id, id);
    checkBodyIds(dto, project.id, id);
    const fields = fieldsOf(dto);
    await this.repo.update(view, fields);
    await this.log(project, user, { ...view, ...fields }, 'updated');
  }

  async delete(project: ProjectEntity, user: UserEntity, id: number): Promise<void> {
    const view = await this.get(project.id, id);
    await this.repo.delete(view);
    await this.log(project, user, view, 'deleted');
  }

  /** The templates of a view, complete (like `GET P/templates`), by name. */
  async templatesOf(projectId: number, id: number): Promise<WireTemplate[]> {
    const view = await this.get(projectId, id);
    return this.templates.list(projectId, templateListOrder('name', 'asc'), view.id);
  }

  /** Body `{"<viewId>": <position>, ...}`: every id must be a view of the project, positions 32-bit integers. */
  async setPositions(projectId: number, body: unknown): Promise<void> {
    const positions = parsePositions(body);
    const known = await this.repo.idsInProject(projectId, [...positions.keys()]);
    for (const id of positions.keys()) {
      if (!known.has(id)) throw badRequest(`${id} does not refer to a view of this project`);
    }
    await this.repo.setPositions(projectId, positions);
  }

  private log(project: ProjectEntity, user: UserEntity, view: Pick<ViewEntity, 'id' | 'title'>, verb: string) {
    return this.events.log({
      projectId: project.id,
      userId: user.id,
      objectType: 'view',
      objectId: view.id,
      description: `View ${view.title} ${verb}`,
    });
  }
}

function fieldsOf(dto: ViewDto): Pick<ViewEntity, 'title' | 'position'> {
  const w = fromWireView(dto);
  return { title: w.title ?? '', position: w.position ?? 0 };
}

function checkBodyIds(dto: ViewDto, projectId: number, id: number | null): void {
  if (dto.project_id !== undefined && dto.project_id !== 0 && dto.project_id !== projectId) {
    throw badRequest('project_id in the body must be the project of the URL');
  }
  if (id !== null && dto.id !== undefined && dto.id !== 0 && dto.id !== id) {
    throw badRequest('id in the body must be the view id of the URL');
  }
}

function parsePositions(body: unknown): Map<number, number> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the body must be an object of view ids to positions');
  }
  const positions = new Map<number, number>();
  for (const [key, value] of Object.entries(body)) {
    if (!/^\d{1,10}$/.test(key) || Number(key) < 1 || Number(key) > MAX_INT) {
      throw badRequest(`${key.slice(0, 40)} is not a view id`);
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > MAX_INT) {
      throw badRequest(`${key} must be an integer position`);
    }
    positions.set(Number(key), value);
  }
  return positions;
}
