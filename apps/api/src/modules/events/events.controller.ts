import { Controller, Get } from '@nestjs/common';
import type { WireEvent } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentUser } from '../../common/decorators';
import { toWireEvent } from '../../wire';
import { EventsRepository, type ResolvedEvent } from './events.repository';

/** `/last` routes return the newest 200, as upstream. */
export const LAST_EVENTS_LIMIT = 200;
/** Upstream's full lists are unbounded; ours stop at the newest 1000. */
export const ALL_EVENTS_LIMIT = 1000;

function toWire(events: ResolvedEvent[]): WireEvent[] {
  return events.map((e) => toWireEvent(e.event, e.extras));
}

/** The audit log: global (`/api/events`) and per project (`/api/project/{project_id}/events`). */
@Controller()
export class EventsController {
  constructor(private readonly events: EventsRepository) {}

  @Get('events')
  async list(@CurrentUser() user: UserEntity): Promise<WireEvent[]> {
    return toWire(await this.forUser(user, ALL_EVENTS_LIMIT));
  }

  @Get('events/last')
  async last(@CurrentUser() user: UserEntity): Promise<WireEvent[]> {
    return toWire(await this.forUser(user, LAST_EVENTS_LIMIT));
  }

  @Get('project/:project_id/events')
  async listProject(@CurrentProject() project: ProjectEntity): Promise<WireEvent[]> {
    return toWire(await this.events.listForProject(project.id, ALL_EVENTS_LIMIT));
  }

  @Get('project/:project_id/events/last')
  async lastProject(@CurrentProject() project: ProjectEntity): Promise<WireEvent[]> {
    return toWire(await this.events.listForProject(project.id, LAST_EVENTS_LIMIT));
  }

  private forUser(user: UserEntity, limit: number): Promise<ResolvedEvent[]> {
    return user.admin ? this.events.listAll(limit) : this.events.listForUser(user.id, limit);
  }
}
