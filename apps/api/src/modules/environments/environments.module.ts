import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnvironmentEntity, EnvironmentSecretEntity, TemplateEntity } from '@semaphore/persistence';
import { EnvironmentsController } from './environments.controller';
import { EnvironmentsRepository } from './environments.repository';
import { EnvironmentsService } from './environments.service';

@Module({
  imports: [TypeOrmModule.forFeature([EnvironmentEntity, EnvironmentSecretEntity, TemplateEntity])],
  controllers: [EnvironmentsController],
  providers: [EnvironmentsService, EnvironmentsRepository],
})
export class EnvironmentsModule {}
