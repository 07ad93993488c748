import { Injectable, type PipeTransform } from '@nestjs/common';
import { badRequest } from '../../common/api-errors';
import { isQueueName } from '../task-queue/queue-pause';

/** The `{queue}` of a route: `tasks` or a runner tag; anything else is a 400 naming it. */
@Injectable()
export class QueueNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isQueueName(value)) {
      throw badRequest('queue must be "tasks" or a runner tag (1 to 64 characters: a-z, 0-9, _ and -)');
    }
    return value;
  }
}
