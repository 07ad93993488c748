import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ApiConfig } from './api.config';

@Global()
@Module({})
export class ApiConfigModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return { module: ApiConfigModule, providers: [{ provide: ApiConfig, useValue: config }], exports: [ApiConfig] };
  }
}
