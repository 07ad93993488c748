import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { TaskArtifactsService } from './task-artifacts.service';

const TASK_ROUTE = /^\/api\/project\/\d{1,10}\/tasks\/(\d{1,10})\/*$/;

/** The task id of a `DELETE /api/project/{p}/tasks/{id}` request, or null. */
export function deletedTaskId(method: string, url: string): number | null {
  if (method !== 'DELETE') return null;
  const match = TASK_ROUTE.exec(url.split('?')[0]);
  return match ? Number(match[1]) : null;
}

/**
 * Removes a task's artifacts once `DELETE P/tasks/{id}` has succeeded (204: the caller was allowed to and the task
 * is gone); any other answer leaves them.
 */
@Injectable()
export class TaskDeletionMiddleware implements NestMiddleware {
  constructor(private readonly artifacts: TaskArtifactsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const taskId = deletedTaskId(req.method, req.originalUrl);
    if (taskId !== null) {
      res.once('finish', () => {
        if (res.statusCode === 204) void this.artifacts.removeForDeletedTask(taskId);
      });
    }
    next();
  }
}
