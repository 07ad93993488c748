import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Permission, type WireIntegrationAlias } from '@semaphore/models';
import type { ProjectEntity } from '@semaphore/persistence';
import { CurrentProject, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { IntegrationAliasesService } from './integration-aliases.service';

/**
 * Project-level webhook aliases (`P/integrations/aliases`): a request to one runs every searchable integration of the
 * project. Registered before IntegrationsController so that `aliases` is never taken for an `{integration_id}`.
 */
@Controller('project/:project_id/integrations/aliases')
@RequirePermission(Permission.ManageProjectResources)
export class ProjectIntegrationAliasesController {
  constructor(private readonly aliases: IntegrationAliasesService) {}

  /** `[{"id","url"}]`, url = `<web_host>/api/integrations/<alias>`. */
  @Get()
  list(@CurrentProject() project: ProjectEntity): Promise<WireIntegrationAlias[]> {
    return this.aliases.list(project, null);
  }

  /** 200 with `{"id","url"}` (as upstream): a new random 16-character alias. */
  @Post()
  @HttpCode(200)
  create(@CurrentProject() project: ProjectEntity): Promise<WireIntegrationAlias> {
    return this.aliases.create(project, null);
  }

  @Delete(':alias_id')
  @HttpCode(204)
  async delete(@CurrentProject() project: ProjectEntity, @Param('alias_id', IdPipe) aliasId: number): Promise<void> {
    await this.aliases.delete(project, null, aliasId);
  }
}
