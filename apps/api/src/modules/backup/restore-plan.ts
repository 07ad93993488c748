import type {
  AccessKeyType,
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
  InventoryType,
  TemplateType,
} from '@semaphore/models';
import type { SurveyVar } from '@semaphore/persistence';

/**
 * A checked backup, ready to be written: every row with its references still as names, each known to resolve to an
 * object of the same plan. Built by `planRestore`, written by `BackupRestoreRepository.restore`.
 */
export interface RestorePlan {
  project: { name: string; alert: boolean; alertChat: string | null; maxParallelTasks: number; type: string };
  keys: { name: string; type: AccessKeyType }[];
  environments: { name: string; json: string; env: string | null }[];
  views: { title: string; position: number }[];
  repositories: { name: string; gitUrl: string; gitBranch: string; sshKey: string }[];
  inventories: {
    name: string;
    type: InventoryType;
    inventory: string;
    sshKey: string | null;
    becomeKey: string | null;
    repository: string | null;
  }[];
  /** In creation order: build and plain templates first, then deploy templates. */
  templates: PlannedTemplate[];
  integrations: PlannedIntegration[];
  projectAliases: string[];
}

export interface PlannedTemplate {
  name: string;
  playbook: string;
  arguments: string | null;
  allowOverrideArgsInTask: boolean;
  description: string | null;
  type: TemplateType;
  startVersion: string | null;
  autorun: boolean;
  gitBranch: string | null;
  surveyVars: SurveyVar[];
  suppressSuccessAlerts: boolean;
  app: string;
  allowOverrideBranchInTask: boolean;
  allowParallelTasks: boolean;
  runnerTag: string | null;
  inventory: string | null;
  repository: string;
  environment: string | null;
  view: string | null;
  buildTemplate: string | null;
  vaults: { name: string | null; vaultKey: string }[];
  /** A cron format: the template gets an active schedule. */
  cron: string | null;
}

/** The common fields of a matcher and an extract value. */
export interface PlannedPart {
  name: string;
  source: IntegrationMatchType;
  bodyDataType: IntegrationBodyDataType;
  key: string;
}

export interface PlannedIntegration {
  name: string;
  template: string;
  authMethod: IntegrationAuthMethod;
  authSecret: string | null;
  authHeader: string;
  searchable: boolean;
  taskParams: Record<string, unknown> | null;
  aliases: string[];
  matchers: (PlannedPart & { method: IntegrationMatchMethod; value: string })[];
  extractValues: (PlannedPart & { variable: string })[];
}
