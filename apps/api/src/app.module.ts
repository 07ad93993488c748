import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { loggingModule } from '@semaphore/logging';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { ApiConfig, ApiConfigModule } from './config';
import { CryptoModule } from './crypto';
import { DatabaseModule } from './database/database.module';
import { AuthModule } from './modules/auth/auth.module';
import { EventsModule } from './modules/events/events.module';
import { FEATURE_MODULES } from './modules/feature-modules';
import { HealthModule } from './modules/health/health.module';
import { ProjectAccessModule } from './modules/projects/project-access.module';
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
        CryptoModule,
        // Guard order matters: AuthModule's authentication guard runs before the project scoping guard.
        AuthModule,
        ProjectAccessModule,
        EventsModule,
        SystemModule,
        HealthModule,
        ...FEATURE_MODULES,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
