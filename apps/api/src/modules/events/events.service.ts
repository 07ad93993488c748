import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { EventEntity } from '@semaphore/persistence';

export type EventObjectType =
  | 'task'
  | 'environment'
  | 'inventory'
  | 'key'
  | 'project'
  | 'repository'
  | 'schedule'
  | 'template'
  | 'user'
  | 'view'
  | 'integration';

export interface NewEvent {
  projectId: number | null;
  userId: number | null;
  objectType: EventObjectType;
  objectId: number | null;
  description: string;
  integrationId?: number | null;
}

/** Writes the audit log. Descriptions name objects, never secrets. */
@Injectable()
export class EventsService {
  constructor(@InjectRepository(EventEntity) private readonly events: Repository<EventEntity>) {}

  async log(event: NewEvent): Promise<void> {
    await this.events.insert({
      projectId: event.projectId,
      userId: event.userId,
      objectType: event.objectType,
      objectId: event.objectId,
      description: event.description,
      integrationId: event.integrationId ?? null,
    });
  }
}
