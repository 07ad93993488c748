/** Key order of the wire objects as Appendix A of the reference gives them, shared by the e2e suites. */

/** Task (reference §1.4, Appendix A `POST /api/project/1/tasks`). */
export const TASK_KEYS = [
  'id',
  'template_id',
  'project_id',
  'status',
  'debug',
  'dry_run',
  'diff',
  'playbook',
  'environment',
  'limit',
  'secret',
  'arguments',
  'git_branch',
  'user_id',
  'integration_id',
  'schedule_id',
  'created',
  'start',
  'end',
  'message',
  'commit_hash',
  'commit_message',
  'build_task_id',
  'version',
  'inventory_id',
  // This server's additions, after upstream's keys.
  'error_code',
  'retry_of_task_id',
  'progress',
];
