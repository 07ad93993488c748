import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RepositoryEntity, ScheduleEntity, TemplateEntity } from '@semaphore/persistence';
import { SchedulesController, TemplateSchedulesController } from './schedules.controller';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService } from './schedules.service';

@Module({
  imports: [TypeOrmModule.forFeature([ScheduleEntity, TemplateEntity, RepositoryEntity])],
  controllers: [SchedulesController, TemplateSchedulesController],
  providers: [SchedulesService, SchedulesRepository],
})
export class SchedulesModule {}
