import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AccessKeyEntity,
  IntegrationEntity,
  InventoryEntity,
  RepositoryEntity,
  TemplateEntity,
  TemplateVaultEntity,
} from '@semaphore/persistence';
import { KeysController } from './keys.controller';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      AccessKeyEntity,
      RepositoryEntity,
      InventoryEntity,
      TemplateEntity,
      TemplateVaultEntity,
      IntegrationEntity,
    ]),
  ],
  controllers: [KeysController],
  providers: [KeysService, KeysRepository],
})
export class KeysModule {}
