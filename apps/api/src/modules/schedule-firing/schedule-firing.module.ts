import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ScheduleEntity, TaskEntity } from '@semaphore/persistence';
import { RunnersModule } from '../runners/runners.module';
import { CommitChecksController } from './commit-checks.controller';
import { CommitScheduleService } from './commit-schedule.service';
import { ScheduleFiringService } from './schedule-firing.service';

/**
 * Schedules firing through BullMQ job schedulers (every replica registers and works; each fire time runs once), and
 * the commit checks of "run on a new commit" schedules, answered by runners.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ScheduleEntity, TaskEntity]), RunnersModule],
  controllers: [CommitChecksController],
  providers: [ScheduleFiringService, CommitScheduleService],
  exports: [ScheduleFiringService],
})
export class ScheduleFiringModule {}
