import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loggingModule } from '@semaphore/logging';
import { RunnerApiClient } from './api/runner-api.client';
import { RunnerConfig, runnerConfigFromProcessEnv } from './config';
import { RunnerIdentityService } from './identity/runner-identity.service';

/** Only what registration needs: no Redis, no workers. */
@Module({})
class RunnerRegistrationModule {
  static forRoot(config: RunnerConfig): DynamicModule {
    return {
      module: RunnerRegistrationModule,
      imports: [loggingModule({ level: 'warn', base: { app: 'runner', instanceId: config.instanceId } })],
      providers: [{ provide: RunnerConfig, useValue: config }, RunnerApiClient, RunnerIdentityService],
    };
  }
}

async function withIdentity<T>(fn: (identity: RunnerIdentityService, config: RunnerConfig) => Promise<T>): Promise<T> {
  const config = runnerConfigFromProcessEnv();
  const app = await NestFactory.createApplicationContext(RunnerRegistrationModule.forRoot(config), { logger: false });
  try {
    return await fn(app.get(RunnerIdentityService), config);
  } finally {
    await app.close();
  }
}

/**
 * `semaphore runner register`: registers with SEMAPHORE_RUNNER_REGISTRATION_TOKEN and stores the runner token in the
 * token file (0600), or checks the token it already has. Returns the line to print.
 */
export function registerRunner(): Promise<string> {
  return withIdentity(async (identity, config) => {
    const self = await identity.resolve();
    return self.source === 'registration'
      ? `runner ${self.name} registered (id ${self.id}); token in ${config.runner.tokenFile}`
      : `runner ${self.name} (id ${self.id}) is registered already (token from ${self.source === 'env' ? 'SEMAPHORE_RUNNER_TOKEN' : config.runner.tokenFile})`;
  });
}

/** `semaphore runner unregister`: the api deletes this runner; the token file goes. Returns the line to print. */
export function unregisterRunner(): Promise<string> {
  return withIdentity(async (identity) => {
    const gone = await identity.unregister();
    return `runner ${gone.name} (id ${gone.id}) unregistered${gone.tokenFile ? `; ${gone.tokenFile} removed` : ''}`;
  });
}
