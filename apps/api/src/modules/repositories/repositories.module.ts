import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AccessKeyEntity,
  InventoryEntity,
  RepositoryEntity,
  ScheduleEntity,
  TemplateEntity,
} from '@semaphore/persistence';
import { RepositoriesController } from './repositories.controller';
import { RepositoriesRepository } from './repositories.repository';
import { RepositoriesService } from './repositories.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([RepositoryEntity, AccessKeyEntity, InventoryEntity, TemplateEntity, ScheduleEntity]),
  ],
  controllers: [RepositoriesController],
  providers: [RepositoriesService, RepositoriesRepository],
})
export class RepositoriesModule {}
