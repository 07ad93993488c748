import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSourceOptions } from '@semaphore/persistence';
import { ApiConfig } from '../config';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ApiConfig],
      useFactory: (config: ApiConfig) => ({
        ...createDataSourceOptions(config.db),
        // Keep trying while PostgreSQL starts; the process exits if it never answers.
        retryAttempts: 30,
        retryDelay: 1_000,
      }),
    }),
  ],
})
export class DatabaseModule {}
