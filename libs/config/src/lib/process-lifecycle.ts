export interface ShutdownLogger {
  log(message: string): void;
  error(message: string): void;
}

/**
 * On SIGTERM or SIGINT: run `close` once (stop taking work, finish, release connections), then exit 0; exit 1 when
 * closing fails or takes longer than `timeoutMs`. A second signal while closing forces the exit.
 */
export function exitCleanlyOnSignals(close: () => Promise<void>, logger: ShutdownLogger, timeoutMs = 30_000): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.error(`${signal} received again while shutting down: exiting now`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal} received: shutting down`);
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms: exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
