import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { productVersion } from './cli/version';

/**
 * The OpenAPI document, generated from the controllers: the UI at /api/docs, the JSON at /api/docs-json.
 * It carries no examples, so no secret can leak through it.
 */
export function mountOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Semaphore-compatible API')
    .setDescription('REST API of semaphore-ts, wire-compatible with Semaphore UI 2.10 (see docs/compatibility.md).')
    .setVersion(productVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API token from POST /api/user/tokens' }, 'bearer')
    .addCookieAuth('semaphore_session', { type: 'apiKey', in: 'cookie' }, 'cookie')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('cookie')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', useGlobalPrefix: false });
}
