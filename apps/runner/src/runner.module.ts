import { type DynamicModule, Global, Module } from '@nestjs/common';
import { loggingModule } from '@semaphore/logging';
import { RunnerConfig } from './config';
import { ReadinessService } from './readiness.service';
import { RunnerRedisModule } from './redis/runner-redis.module';

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
      providers: [ReadinessService],
    };
  }
}
