import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AccessKeyEntity,
  EnvironmentEntity,
  IntegrationEntity,
  InventoryEntity,
  RepositoryEntity,
  ScheduleEntity,
  TaskEntity,
  TemplateEntity,
  TemplateVaultEntity,
  ViewEntity,
} from '@semaphore/persistence';
import { TemplatesController } from './templates.controller';
import { TemplatesRepository } from './templates.repository';
import { TemplatesService } from './templates.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      TemplateEntity,
      TemplateVaultEntity,
      TaskEntity,
      AccessKeyEntity,
      RepositoryEntity,
      InventoryEntity,
      EnvironmentEntity,
      ViewEntity,
      ScheduleEntity,
      IntegrationEntity,
    ]),
  ],
  controllers: [TemplatesController],
  providers: [TemplatesService, TemplatesRepository],
  exports: [TemplatesService],
})
export class TemplatesModule {}
