import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ScheduleEntity, TaskEntity } from '@semaphore/persistence';
import { ScheduleFiringService } from './schedule-firing.service';

/** Schedules firing through BullMQ job schedulers (every replica registers and works; each fire time runs once). */
@Module({
  imports: [TypeOrmModule.forFeature([ScheduleEntity, TaskEntity])],
  providers: [ScheduleFiringService],
  exports: [ScheduleFiringService],
})
export class ScheduleFiringModule {}
