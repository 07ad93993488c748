import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AccessKeyEntity,
  IntegrationAliasEntity,
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
  TemplateEntity,
} from '@semaphore/persistence';
import { ProjectIntegrationAliasesController } from './integration-aliases.controller';
import { IntegrationAliasesRepository } from './integration-aliases.repository';
import { IntegrationAliasesService } from './integration-aliases.service';
import { IntegrationMatchersController } from './integration-matchers.controller';
import { IntegrationPartsRepository } from './integration-parts.repository';
import { IntegrationPartsService } from './integration-parts.service';
import { IntegrationValuesController } from './integration-values.controller';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsRepository } from './integrations.repository';
import { IntegrationsService } from './integrations.service';

/** Integrations (incoming webhooks) with matchers, extract values and aliases. The public receiver is in
 * integration-receiver. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      IntegrationEntity,
      IntegrationMatcherEntity,
      IntegrationExtractValueEntity,
      IntegrationAliasEntity,
      TemplateEntity,
      AccessKeyEntity,
    ]),
  ],
  // Order matters: `P/integrations/aliases` must be routed before `P/integrations/{integration_id}`.
  controllers: [
    ProjectIntegrationAliasesController,
    IntegrationsController,
    IntegrationMatchersController,
    IntegrationValuesController,
  ],
  providers: [
    IntegrationsRepository,
    IntegrationPartsRepository,
    IntegrationAliasesRepository,
    IntegrationsService,
    IntegrationPartsService,
    IntegrationAliasesService,
  ],
  exports: [IntegrationsRepository],
})
export class IntegrationsModule {}
