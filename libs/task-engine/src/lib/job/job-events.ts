import type { TaskStatus } from '@semaphore/models';

/** Where a running job reports; the runner turns these into the task event stream. */
export interface JobEvents {
  log(line: string): void;
  status(status: TaskStatus): void;
  commit(hash: string, message: string): void;
}

export interface JobResult {
  /** `rejected`: a terraform/tofu plan the user refused (nothing applied). */
  status: TaskStatus.Success | TaskStatus.Error | TaskStatus.Stopped | TaskStatus.Rejected;
  /** Typed failure code when the run failed before or outside the app (e.g. GIT_CHECKOUT_FAILED). */
  errorCode?: string;
}
