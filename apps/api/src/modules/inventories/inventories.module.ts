import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessKeyEntity, InventoryEntity, RepositoryEntity, TemplateEntity } from '@semaphore/persistence';
import { InventoriesController } from './inventories.controller';
import { InventoriesRepository } from './inventories.repository';
import { InventoriesService } from './inventories.service';

@Module({
  imports: [TypeOrmModule.forFeature([InventoryEntity, AccessKeyEntity, RepositoryEntity, TemplateEntity])],
  controllers: [InventoriesController],
  providers: [InventoriesService, InventoriesRepository],
})
export class InventoriesModule {}
