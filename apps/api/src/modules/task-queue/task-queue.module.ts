import { Global, Module } from '@nestjs/common';
import { TaskLifecycleService } from './task-lifecycle.service';

@Global()
@Module({
  providers: [TaskLifecycleService],
  exports: [TaskLifecycleService],
})
export class TaskQueueModule {}
