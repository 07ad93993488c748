/**
 * The project backup format of upstream Semaphore 2.10 (reference §6.4): every cross reference is a name (views: a
 * title), no ids, no secrets. Optional fields are left out when they have no value, as upstream omits nil pointers.
 * Fields marked "extension" are this server's (upstream ignores unknown fields when it restores).
 */
export interface BackupFormat {
  meta: BackupMeta;
  keys: BackupKey[];
  environments: BackupEnvironment[];
  repositories: BackupRepository[];
  inventories: BackupInventory[];
  views: BackupView[];
  templates: BackupTemplate[];
  integrations: BackupIntegration[];
  integration_aliases: string[];
}

export interface BackupMeta {
  name: string;
  alert: boolean;
  alert_chat?: string;
  max_parallel_tasks: number;
  type: string;
}

/** Name and type only: secrets are never exported; a restored key is empty. */
export interface BackupKey {
  name: string;
  type: string;
}

/** Environment secrets are not exported. */
export interface BackupEnvironment {
  name: string;
  json: string;
  password?: string;
  env?: string;
}

export interface BackupRepository {
  name: string;
  git_url: string;
  git_branch: string;
  ssh_key: string;
}

export interface BackupInventory {
  name: string;
  inventory: string;
  type: string;
  ssh_key?: string;
  become_key?: string;
  /** Extension: the inventory's own repository (`file` inventories kept in another repository). */
  repository?: string;
}

export interface BackupView {
  title: string;
  position: number;
}

export interface BackupSurveyVar {
  name: string;
  title: string;
  required: boolean;
  type: string;
  description: string;
  values: { name: string; value: string }[];
}

export interface BackupTemplateVault {
  name?: string;
  vault_key: string;
}

export interface BackupTemplate {
  name: string;
  playbook: string;
  arguments?: string;
  allow_override_args_in_task: boolean;
  description?: string;
  type: string;
  start_version?: string;
  autorun: boolean;
  git_branch?: string;
  survey_vars: BackupSurveyVar[];
  suppress_success_alerts: boolean;
  app: string;
  inventory?: string;
  repository: string;
  environment?: string;
  build_template?: string;
  view?: string;
  vaults: BackupTemplateVault[];
  /** The cron format of the template's schedule. */
  cron?: string;
  /** Extensions (template fields newer than 2.10). */
  allow_override_branch_in_task: boolean;
  allow_parallel_tasks: boolean;
  runner_tag?: string;
}

export interface BackupMatcher {
  name: string;
  match_type: string;
  method: string;
  body_data_type: string;
  key: string;
  value: string;
}

export interface BackupExtractValue {
  name: string;
  value_source: string;
  body_data_type: string;
  key: string;
  variable: string;
}

export interface BackupIntegration {
  name: string;
  auth_method: string;
  auth_header: string;
  searchable: boolean;
  task_params: Record<string, unknown>;
  aliases: string[];
  matchers: BackupMatcher[];
  extract_values: BackupExtractValue[];
  template: string;
  auth_secret?: string;
}
