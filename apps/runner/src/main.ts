import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitCleanlyOnSignals } from '@semaphore/config';
import { runnerConfigFromProcessEnv } from './config';
import { RunnerModule } from './runner.module';

/** Headless runner: a NestJS application context (no HTTP server), stopped cleanly by SIGTERM/SIGINT. */
export async function startRunner(): Promise<void> {
  const config = runnerConfigFromProcessEnv();
  const app = await NestFactory.createApplicationContext(RunnerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  const logger = app.get(Logger);
  exitCleanlyOnSignals(() => app.close(), {
    log: (m) => logger.log(m, 'Shutdown'),
    error: (m) => logger.error(m, 'Shutdown'),
  });
  await app.init();
}

if (require.main === module) {
  startRunner().catch((err: unknown) => {
    process.stderr.write(`semaphore runner failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
