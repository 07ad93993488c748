import {
  Body,
  Controller,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import type { RunnerEntity } from '@semaphore/persistence';
import { Public } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { CurrentRunner, RunnerAuthGuard } from '../runners/runner-auth.guard';
import { RecordHostKeyDto } from './dto/record-host-key.dto';
import { declaredLength, discardBody, isOctetStream } from './request-body';
import { TaskArtifactsService } from './task-artifacts.service';

/**
 * `/api/internal/runners/tasks/{id}/...`: what a runner hands over from a task it holds. Public for users; the runner
 * authenticates with its `X-Runner-Token`.
 */
@Controller('internal/runners/tasks/:task_id')
@Public()
@UseGuards(RunnerAuthGuard)
export class InternalTaskArtifactsController {
  constructor(private readonly artifacts: TaskArtifactsService) {}

  /**
   * `PUT .../artifacts?path=<relative path>`, an `application/octet-stream` body streamed to disk (no body parser
   * reads it): 204; 400 naming `path`, 403/409 when the runner does not hold the task, 413 over the size limit, 415
   * for another content type.
   */
  @Put('artifacts')
  @HttpCode(204)
  async upload(
    @CurrentRunner() runner: RunnerEntity,
    @Param('task_id', IdPipe) taskId: number,
    @Query('path') path: unknown,
    @Req() req: Request,
  ): Promise<void> {
    try {
      if (!isOctetStream(req)) {
        throw new UnsupportedMediaTypeException({ error: 'body must be application/octet-stream' });
      }
      await this.artifacts.upload(runner, taskId, path, req, declaredLength(req));
    } catch (err) {
      discardBody(req);
      throw err;
    }
  }

  /** `POST .../known-hosts {"line": "[host]:port keytype base64"}`: 204 (also when the entry is known already). */
  @Post('known-hosts')
  @HttpCode(204)
  recordHostKey(
    @CurrentRunner() runner: RunnerEntity,
    @Param('task_id', IdPipe) taskId: number,
    @Body() body: RecordHostKeyDto,
  ): Promise<void> {
    return this.artifacts.recordHostKey(runner, taskId, body.line);
  }
}
