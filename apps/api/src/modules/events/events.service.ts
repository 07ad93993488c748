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

  /** Several per task (queued, running, finished): a hand-written statement, `created` from the column default. */
  async log(event: NewEvent): Promise<void> {
    await this.events.query(
      `INSERT INTO event (project_id, user_id, integration_id, object_id, object_type, description)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [event.projectId, event.userId, event.integrationId ?? null, event.objectId, event.objectType, event.description],
    );
  }
}
