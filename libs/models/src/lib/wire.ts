/**
 * Semaphore 2.10 wire objects: exact JSON field names and nullability (reference §1.4, Appendix A).
 * Times are RFC 3339 strings in UTC. `null` and `''` are different values on the wire; the types say which.
 */

export type WireTime = string;

export interface WireUser {
  id: number;
  created: WireTime;
  username: string;
  name: string;
  email: string;
  admin: boolean;
  external: boolean;
  alert: boolean;
}

export interface WireCurrentUser extends WireUser {
  can_create_project: boolean;
}

/** What non-admins see of other users in `GET /api/users`. */
export interface WireUserSummary {
  id: number;
  username: string;
  name: string;
}

export interface WireApiToken {
  id: string;
  created: WireTime;
  expired: boolean;
  user_id: number;
}

export interface WireProject {
  id: number;
  name: string;
  created: WireTime;
  alert: boolean;
  alert_chat: string | null;
  max_parallel_tasks: number;
  type: string;
}

export interface WireProjectUser {
  id: number;
  username: string;
  name: string;
  role: string;
}

export interface WireAccessKey {
  id: number;
  name: string;
  type: string;
  project_id: number | null;
  string: string;
  login_password: { login: string; password: string };
  ssh: { login: string; passphrase: string; private_key: string };
  override_secret: boolean;
  empty?: boolean;
}

export interface WireRepository {
  id: number;
  name: string;
  project_id: number;
  git_url: string;
  git_branch: string;
  ssh_key_id: number;
}

export interface WireInventory {
  id: number;
  name: string;
  project_id: number;
  inventory: string;
  ssh_key_id: number | null;
  become_key_id: number | null;
  type: string;
  holder_id: number | null;
  repository_id: number | null;
}

export interface WireEnvironmentSecret {
  id: number;
  type: string;
  name: string;
  secret: string;
  operation: string;
}

export interface WireEnvironment {
  id: number;
  name: string;
  project_id: number;
  password: string | null;
  json: string;
  env: string | null;
  secrets: WireEnvironmentSecret[] | null;
}

export interface WireTemplateVault {
  id: number;
  project_id: number;
  template_id: number;
  vault_key_id: number;
  name: string | null;
}

export interface WireSurveyVarValue {
  name: string;
  value: string;
}

export interface WireSurveyVar {
  name: string;
  title: string;
  required: boolean;
  type: string;
  description: string;
  values: WireSurveyVarValue[] | null;
}

export interface WireTask {
  id: number;
  template_id: number;
  project_id: number;
  status: string;
  debug: boolean;
  dry_run: boolean;
  diff: boolean;
  playbook: string;
  environment: string;
  limit: string;
  secret: string;
  arguments: string | null;
  git_branch: string | null;
  user_id: number | null;
  integration_id: number | null;
  schedule_id: number | null;
  created: WireTime;
  start: WireTime | null;
  end: WireTime | null;
  message: string;
  commit_hash: string | null;
  commit_message: string;
  build_task_id: number | null;
  version: string | null;
  inventory_id: number | null;
  /** Additions (upstream clients ignore them): why the task failed, as a typed code (e.g. SSH_TIMEOUT). */
  error_code: string | null;
  /** The task this one retries (`POST .../tasks/{id}/retry`). */
  retry_of_task_id: number | null;
  /** The latest transfer progress of an sftp task. */
  progress: WireTaskProgress | null;
}

export interface WireTaskProgress {
  time: string;
  bytes_done: number | null;
  bytes_total: number | null;
  files_done: number | null;
  files_total: number | null;
  /** Bytes per second. */
  rate: number | null;
  /** Seconds left at the current rate. */
  eta: number | null;
  paused: boolean;
}

export interface WireTaskWithTpl extends WireTask {
  tpl_playbook: string;
  tpl_alias: string;
  tpl_type: string;
  tpl_app: string;
  user_name: string | null;
  build_task: WireTask | null;
}

export interface WireTemplate {
  id: number;
  project_id: number;
  inventory_id: number | null;
  repository_id: number;
  environment_id: number | null;
  name: string;
  playbook: string;
  arguments: string | null;
  allow_override_args_in_task: boolean;
  description: string | null;
  vaults: WireTemplateVault[] | null;
  type: string;
  start_version: string | null;
  build_template_id: number | null;
  view_id: number | null;
  last_task: WireTaskWithTpl | null;
  autorun: boolean;
  git_branch: string | null;
  survey_vars: WireSurveyVar[] | null;
  suppress_success_alerts: boolean;
  app: string;
  tasks: number;
  /** Additions (newest upstream / this server); upstream 2.10 clients ignore them. */
  allow_override_branch_in_task: boolean;
  allow_parallel_tasks: boolean;
  runner_tag: string | null;
  /** Settings of `ssh` and `sftp` templates; null for other apps. */
  ssh_options: WireSshOptions | null;
}

/** Template `ssh_options` (timeouts and backoff in seconds). */
export interface WireSshOptions {
  command: string;
  script: string;
  operation: string | null;
  source: string;
  destination: string;
  compare: string;
  delete: boolean;
  parallelism: number;
  tolerate_failures: number;
  connect_timeout: number;
  idle_timeout: number;
  command_timeout: number;
  retry: { attempts: number; backoff: number; backoff_factor: number; retry_on: string[] };
  host_key_mode: string;
}

export interface WireTaskOutput {
  task_id: number;
  task: string;
  time: WireTime;
  output: string;
}

export interface WireSchedule {
  id: number;
  project_id: number;
  template_id: number;
  cron_format: string;
  name: string;
  active: boolean;
  repository_id: number | null;
}

export interface WireScheduleWithTpl extends WireSchedule {
  tpl_name: string;
}

export interface WireView {
  id: number;
  project_id: number;
  title: string;
  position: number;
}

export interface WireIntegration {
  id: number;
  name: string;
  project_id: number;
  template_id: number;
  auth_method: string;
  auth_secret_id: number | null;
  auth_header: string;
  searchable: boolean;
  task_params: Record<string, unknown> | null;
}

export interface WireIntegrationMatcher {
  id: number;
  integration_id: number;
  name: string;
  match_type: string;
  method: string;
  body_data_type: string;
  key: string;
  value: string;
}

export interface WireIntegrationExtractValue {
  id: number;
  integration_id: number;
  name: string;
  value_source: string;
  body_data_type: string;
  key: string;
  variable: string;
}

export interface WireIntegrationAlias {
  id: number;
  url: string;
}

export interface WireEvent {
  user_id: number | null;
  project_id: number | null;
  integration_id: number | null;
  object_id: number | null;
  object_type: string | null;
  description: string | null;
  created: WireTime;
  object_name: string;
  project_name: string | null;
  username: string | null;
}

export interface WireRunner {
  id: number;
  project_id: number | null;
  webhook: string;
  max_parallel_tasks: number;
  active: boolean;
  name: string;
}

export interface WireApp {
  id: string;
  active: boolean;
  priority: number;
  title: string;
  icon: string;
  color: string;
  dark_color: string;
  path: string;
  args: string[];
}

/** WebSocket messages (reference §5.1). */
export interface WireWsLog {
  type: 'log';
  project_id: number;
  task_id: number;
  time: WireTime;
  output: string;
}

export interface WireWsUpdate {
  type: 'update';
  project_id: number;
  task_id: number;
  template_id: number;
  status: string;
  start: WireTime | null;
  end: WireTime | null;
  version: string | null;
}
