import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'nestjs-pino';
import type { RunnerConfig } from './config';
import { RunnerLifecycle } from './runner-lifecycle.service';

/** After the running tasks were told to stop, the process gives up waiting after this long (plus the kill grace). */
const STOP_TIMEOUT_MS = 30_000;

/**
 * SIGTERM/SIGINT handling, installed before the application starts (a NestJS application context runs its whole
 * bootstrap while it is created, so a signal may arrive before `startRunner` returns).
 * First signal: stop taking jobs, let the running tasks finish (up to SEMAPHORE_RUNNER_DRAIN_TIMEOUT_SECONDS), exit 0.
 * Second signal, or the drain timeout: stop the running tasks (they end `stopped`, their last events are flushed),
 * then exit 0 once they have. Third signal: exit 1 at once.
 */
export class RunnerShutdown {
  private signals = 0;
  private app: { context: INestApplicationContext; logger: Logger } | null = null;
  private readonly onSignal = (signal: NodeJS.Signals) => this.handle(signal);

  constructor(private readonly config: RunnerConfig) {
    process.on('SIGTERM', this.onSignal);
    process.on('SIGINT', this.onSignal);
  }

  /** The app has started: a signal that came in meanwhile is acted on now. */
  attach(context: INestApplicationContext, logger: Logger): void {
    this.app = { context, logger };
    if (this.signals > 0) this.beginDrain('SIGTERM');
    if (this.signals > 1) this.stopTasks();
  }

  /** The app failed to start: leave signals to their default. */
  detach(): void {
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
  }

  private handle(signal: NodeJS.Signals): void {
    this.signals++;
    if (this.signals >= 3) {
      this.app?.logger.error(`${signal} received a third time: exiting now`, 'Shutdown');
      process.exit(1);
    }
    if (!this.app) return; // acted on in attach()
    if (this.signals === 1) this.beginDrain(signal);
    else {
      this.app.logger.warn(`${signal} received again: stopping running tasks`, 'Shutdown');
      this.stopTasks();
    }
  }

  private beginDrain(signal: string): void {
    if (!this.app) return;
    const { context, logger } = this.app;
    logger.log(`${signal} received: finishing running tasks, taking no new ones`, 'Shutdown');
    setTimeout(() => {
      logger.warn('drain timeout reached', 'Shutdown');
      this.stopTasks();
    }, this.config.runner.drainTimeoutMs).unref();
    context
      .get(RunnerLifecycle)
      .drain()
      .then(() => context.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`, 'Shutdown');
          process.exit(1);
        },
      );
  }

  private stopTasks(): void {
    if (!this.app) return;
    const { context, logger } = this.app;
    context.get(RunnerLifecycle).stopRunningTasks();
    setTimeout(() => {
      logger.error('running tasks did not stop in time: exiting', 'Shutdown');
      process.exit(1);
    }, STOP_TIMEOUT_MS + this.config.tasks.killGraceMs).unref();
  }
}
