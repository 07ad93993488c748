import { pipeline } from 'node:stream/promises';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import type { ProjectEntity } from '@semaphore/persistence';
import { CurrentProject } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import type { ArtifactEntry } from './artifact-store';
import { attachmentDisposition } from './content-disposition';
import { TaskArtifactsService } from './task-artifacts.service';

/** `P/tasks/{id}/artifacts`: the files a task's runner handed over. Reads, open to every member of the project. */
@Controller('project/:project_id/tasks/:task_id/artifacts')
export class TaskArtifactsController {
  constructor(
    private readonly artifacts: TaskArtifactsService,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('TaskArtifacts');
  }

  /** `[{path, size, modified}]` sorted by path; `[]` when there are none. */
  @Get()
  list(@CurrentProject() project: ProjectEntity, @Param('task_id', IdPipe) taskId: number): Promise<ArtifactEntry[]> {
    return this.artifacts.list(project, taskId);
  }

  /** `?path=<relative path>`: the file as an attachment; 404 when there is none, 400 naming `path`. */
  @Get('file')
  async download(
    @CurrentProject() project: ProjectEntity,
    @Param('task_id', IdPipe) taskId: number,
    @Query('path') path: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.artifacts.open(project, taskId, path);
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Content-Disposition', attachmentDisposition(file.name));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    try {
      await pipeline(file.stream, res);
    } catch (err) {
      // The client went away, or the file could not be read: the answer is cut short, nothing else to do.
      this.logger.debug({ err, taskId }, 'artifact download interrupted');
    }
  }
}
