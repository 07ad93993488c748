import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { WsAdapter } from '@nestjs/platform-ws';
import cookieParser from 'cookie-parser';
import { AppModule } from './app.module';
import { bodyErrorHandler, stripTrailingSlash } from './common/http-middleware';
import { apiValidationPipe } from './common/validation.pipe';
import { mountOpenApi } from './openapi';

/** Largest accepted request body (project restores are the biggest legitimate ones). */
const BODY_LIMIT = '5mb';
import { exitCleanlyOnSignals } from '@semaphore/config';
import type { ApiConfig } from './config';

function isWebhook(url: string | undefined): boolean {
  return (url ?? '').startsWith('/api/integrations/');
}

/** Builds the api application (not listening yet). */
export async function createApiApp(config: ApiConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
    // Webhook signatures are computed over the exact bytes (req.rawBody).
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  app.use(stripTrailingSlash);
  app.use(cookieParser());
  app.useBodyParser('json', { limit: BODY_LIMIT, strict: false });
  // Webhook bodies of any other type (form-encoded, text) are kept as bytes for the receiver.
  app.useBodyParser('raw', { limit: BODY_LIMIT, type: (req: { url?: string }) => isWebhook(req.url) });
  app.use(bodyErrorHandler);
  app.useGlobalPipes(apiValidationPipe());
  app.useWebSocketAdapter(new WsAdapter(app));
  app.setGlobalPrefix('api');
  mountOpenApi(app);
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  return app;
}

/** Starts the api and listens on the configured interface and port. */
export async function startApi(config: ApiConfig): Promise<NestExpressApplication> {
  const app = await createApiApp(config);
  const logger = app.get(Logger);
  // Node ends any request after 300 s by default, which would cut runners' artifact uploads of large downloads;
  // request headers stay limited by headersTimeout (60 s), and bodies by their routes' own limits.
  app.getHttpServer().requestTimeout = 0;
  await app.listen(config.http.port, config.http.host);
  exitCleanlyOnSignals(
    async () => {
      await app.close();
      logger.log('api stopped', 'Bootstrap');
    },
    { log: (m) => logger.log(m, 'Shutdown'), error: (m) => logger.error(m, 'Shutdown') },
  );
  logger.log(`api listening on ${config.http.host}:${config.http.port}`, 'Bootstrap');
  return app;
}
