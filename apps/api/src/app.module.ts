import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { loggingModule } from '@semaphore/logging';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { ApiConfig, ApiConfigModule } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './modules/health/health.module';
import { SystemModule } from './modules/system/system.module';
import { RedisModule } from './redis/redis.module';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ApiConfigModule.forRoot(config),
        loggingModule({ level: config.log.level, base: { app: 'api', nodeId: config.nodeId } }),
        DatabaseModule,
        RedisModule,
        SystemModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
