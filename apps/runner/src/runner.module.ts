import { type DynamicModule, Global, Module } from '@nestjs/common';
import { loggingModule } from '@semaphore/logging';
import { RunnerApiClient } from './api/runner-api.client';
import { RunnerConfig } from './config';
import { ControlListener } from './control/control-listener.service';
import { HeartbeatService } from './control/heartbeat.service';
import { RunnerIdentityService } from './identity/runner-identity.service';
import { RunningTasks } from './jobs/running-tasks';
import { TaskProcessor } from './jobs/task-processor';
import { CommitCheckWorker } from './jobs/commit-check.worker';
import { TaskWorkers } from './jobs/task-workers.service';
import { RunnerRedisModule } from './redis/runner-redis.module';
import { RunnerLifecycle } from './runner-lifecycle.service';

@Global()
@Module({})
class RunnerConfigModule {
  static forRoot(config: RunnerConfig): DynamicModule {
    return {
      module: RunnerConfigModule,
      providers: [{ provide: RunnerConfig, useValue: config }],
      exports: [RunnerConfig],
    };
  }
}

@Module({})
export class RunnerModule {
  static forRoot(config: RunnerConfig): DynamicModule {
    return {
      module: RunnerModule,
      imports: [
        RunnerConfigModule.forRoot(config),
        loggingModule({ level: config.log.level, base: { app: 'runner', instanceId: config.instanceId } }),
        RunnerRedisModule,
      ],
      providers: [
        RunnerApiClient,
        RunnerIdentityService,
        RunningTasks,
        TaskProcessor,
        TaskWorkers,
        CommitCheckWorker,
        HeartbeatService,
        ControlListener,
        RunnerLifecycle,
      ],
    };
  }
}
