import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { ApiConfig } from './config';

/** Builds the api application (not listening yet). */
export async function createApiApp(config: ApiConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api');
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  return app;
}

/** Starts the api and listens on the configured interface and port. */
export async function startApi(config: ApiConfig): Promise<NestExpressApplication> {
  const app = await createApiApp(config);
  await app.listen(config.http.port, config.http.host);
  app.get(Logger).log(`api listening on ${config.http.host}:${config.http.port}`, 'Bootstrap');
  return app;
}
