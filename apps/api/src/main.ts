import 'reflect-metadata';
import { startApi } from './bootstrap';
import { apiConfigFromProcessEnv } from './config';

startApi(apiConfigFromProcessEnv()).catch((err: unknown) => {
  process.stderr.write(`semaphore api failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
