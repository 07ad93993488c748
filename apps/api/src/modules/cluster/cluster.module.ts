import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TaskEntity } from '@semaphore/persistence';
import { RunnersModule } from '../runners/runners.module';
import { TaskEventsModule } from '../task-events/task-events.module';
import { ApiPresenceService } from './api-presence.service';
import { ClusterController } from './cluster.controller';
import { ClusterRepository } from './cluster.repository';
import { ClusterService } from './cluster.service';

/** The cluster view (`GET /api/cluster`) and this replica's presence announcement. */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity]), RunnersModule, TaskEventsModule],
  controllers: [ClusterController],
  providers: [ApiPresenceService, ClusterService, ClusterRepository],
})
export class ClusterModule {}
