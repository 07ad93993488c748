import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationAliasEntity, IntegrationEntity } from '@semaphore/persistence';
import { IntegrationsModule } from '../integrations/integrations.module';
import { IntegrationDeliveriesController, IntegrationReceiverController } from './integration-receiver.controller';
import { IntegrationReceiverRepository } from './integration-receiver.repository';
import { IntegrationReceiverService } from './integration-receiver.service';

/** The public webhook receiver `/api/integrations/{alias}` and each integration's delivery log. */
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationAliasEntity, IntegrationEntity]), IntegrationsModule],
  controllers: [IntegrationReceiverController, IntegrationDeliveriesController],
  providers: [IntegrationReceiverRepository, IntegrationReceiverService],
})
export class IntegrationReceiverModule {}
