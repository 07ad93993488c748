import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RepositoryEntity, ScheduleEntity, TemplateEntity } from '@semaphore/persistence';
import { ScheduleFiringModule } from '../schedule-firing/schedule-firing.module';
import { SchedulesController, TemplateSchedulesController } from './schedules.controller';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService } from './schedules.service';

@Module({
  imports: [TypeOrmModule.forFeature([ScheduleEntity, TemplateEntity, RepositoryEntity]), ScheduleFiringModule],
  controllers: [SchedulesController, TemplateSchedulesController],
  providers: [SchedulesService, SchedulesRepository],
})
export class SchedulesModule {}
