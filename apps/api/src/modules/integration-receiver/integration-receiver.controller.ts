import { All, Controller, Get, HttpCode, Param, PayloadTooLargeException, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { ProjectEntity } from '@semaphore/persistence';
import { notFound } from '../../common/api-errors';
import { CurrentProject, Public } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { IntegrationsRepository } from '../integrations/integrations.repository';
import type { IntegrationDelivery } from './integration-deliveries';
import { IntegrationReceiverService } from './integration-receiver.service';

/** Largest webhook body accepted (GitHub's own limit is 25 MB, but its push payloads are far smaller). */
export const MAX_WEBHOOK_BODY = 1024 * 1024;

/** The raw bytes of the body (signatures are over them): Nest keeps them for JSON bodies, the raw parser for others. */
function rawBody(req: Request & { rawBody?: Buffer }): Buffer {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  if (Buffer.isBuffer(req.body)) return req.body;
  return Buffer.alloc(0);
}

/** `POST|GET /api/integrations/{alias}`: public; 204 whatever happened (as upstream), the reason is logged. */
@Controller('integrations')
export class IntegrationReceiverController {
  constructor(private readonly receiver: IntegrationReceiverService) {}

  @Public()
  @All(':alias')
  @HttpCode(204)
  async receive(@Param('alias') alias: string, @Req() req: Request): Promise<void> {
    const body = rawBody(req);
    if (body.length > MAX_WEBHOOK_BODY)
      throw new PayloadTooLargeException(`the body is larger than ${MAX_WEBHOOK_BODY} bytes`);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(alias)) return;
    await this.receiver.receive(alias, { headers: req.headers, body });
  }
}

/** `GET P/integrations/{id}/deliveries`: the integration's last calls, newest first (members). */
@Controller('project/:project_id/integrations')
export class IntegrationDeliveriesController {
  constructor(
    private readonly receiver: IntegrationReceiverService,
    private readonly integrations: IntegrationsRepository,
  ) {}

  @Get(':integration_id/deliveries')
  async list(
    @CurrentProject() project: ProjectEntity,
    @Param('integration_id', IdPipe) id: number,
  ): Promise<IntegrationDelivery[]> {
    if (!(await this.integrations.find(project.id, id))) throw notFound('Integration');
    return this.receiver.deliveries.list(id);
  }
}
