import type { TaskStatus } from '@semaphore/models';

/** Where a running job reports; the runner turns these into the task event stream. */
export interface JobEvents {
  log(line: string): void;
  status(status: TaskStatus): void;
  commit(hash: string, message: string): void;
  /** Transfers (sftp tasks): where they are, at most a few times a second. */
  progress?(p: ProgressReport): void;
  /**
   * Backpressure: a promise while the receiver holds as many undelivered events as it may (e.g. Redis is down),
   * resolved once there is room again; undefined when there is room. The app's output is not read meanwhile, so a
   * chatty app blocks on its own writes instead of growing the runner's memory.
   */
  room?(): Promise<void> | undefined;
}

export interface JobResult {
  /** `rejected`: a terraform/tofu plan the user refused (nothing applied). */
  status: TaskStatus.Success | TaskStatus.Error | TaskStatus.Stopped | TaskStatus.Rejected;
  /** Typed failure code when the run failed before or outside the app (e.g. GIT_CHECKOUT_FAILED). */
  errorCode?: string;
}

/** The progress of a task's transfers, summed over its hosts. */
export interface ProgressReport {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  /** Bytes per second. */
  rate: number;
  /** Seconds left at the current rate; null until a rate is known. */
  eta: number | null;
  paused: boolean;
}
