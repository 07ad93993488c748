import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { runnerConfigFromProcessEnv } from './config';
import { RunnerModule } from './runner.module';
import { RunnerShutdown } from './shutdown';

export { registerRunner, unregisterRunner } from './registration';

/**
 * Headless runner: a NestJS application context (no HTTP server). Creating it runs the whole start (registration,
 * heartbeat, queue workers) and logs `runner ready`; signals drain it (see RunnerShutdown) and it logs
 * `runner stopped`.
 */
export async function startRunner(): Promise<void> {
  const config = runnerConfigFromProcessEnv();
  const shutdown = new RunnerShutdown(config);
  let app;
  try {
    app = await NestFactory.createApplicationContext(RunnerModule.forRoot(config), { bufferLogs: true });
  } catch (err) {
    shutdown.detach();
    throw err;
  }
  app.useLogger(app.get(Logger));
  const logger = app.get(Logger);
  // A stray rejection (e.g. a Redis command cut off by a reconnect) is logged; it must not kill running tasks.
  process.on('unhandledRejection', (err: unknown) => {
    logger.error(`unhandled rejection: ${err instanceof Error ? err.stack : String(err)}`, 'Runner');
  });
  shutdown.attach(app, logger);
}

if (require.main === module) {
  startRunner().catch((err: unknown) => {
    process.stderr.write(`semaphore runner failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
