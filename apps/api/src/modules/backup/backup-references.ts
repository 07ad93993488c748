import {
  AccessKeyType,
  AppId,
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
  TemplateType,
} from '@semaphore/models';
import type { SurveyVar } from '@semaphore/persistence';
import { isLocalGitUrl, relativePathProblem } from '../../common/validators';
import type { CreateIntegrationMatcherDto } from '../integrations/dto/integration-matcher.dto';
import type { CreateIntegrationValueDto } from '../integrations/dto/integration-value.dto';
import { inventoryTextProblem } from '../inventories/inventory-input';
import { cronFormatProblem } from '../schedules/cron-format';
import type { SurveyVarDto } from '../templates/dto/template.dto';
import { isTerraformApp, VAULT_NAME } from '../templates/template-input';
import { BackupValidationError } from './backup-shape';
import type {
  BackupDto,
  BackupIntegrationDto,
  BackupKeyDto,
  BackupRepositoryDto,
  BackupTemplateDto,
} from './dto/backup.dto';
import type { PlannedIntegration, PlannedPart, PlannedTemplate, RestorePlan } from './restore-plan';

/** Key types usable as an inventory's become key (as `P/inventory` requires). */
const BECOME_KEY_TYPES: readonly AccessKeyType[] = [AccessKeyType.None, AccessKeyType.LoginPassword];

const fail = (path: string, problem: string): never => {
  throw new BackupValidationError(`${path}: ${problem}`);
};

/** A name in a message: quoted, and cut when long. */
export function quoted(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name);
}

/** Name -> item of one section; a name used twice is refused (references to it would be ambiguous). */
class Section<T> {
  private readonly byName = new Map<string, { item: T; index: number }>();

  constructor(
    private readonly section: string,
    private readonly what: string,
    items: readonly T[],
    nameOf: (item: T) => string,
    field = 'name',
  ) {
    items.forEach((item, index) => {
      const name = nameOf(item);
      const earlier = this.byName.get(name);
      if (earlier)
        fail(`${section}[${index}].${field}`, `${quoted(name)} is used twice (also ${section}[${earlier.index}])`);
      this.byName.set(name, { item, index });
    });
  }

  /** The item named `name`, or a 400 naming `path`. */
  resolve(path: string, name: string): T {
    const found = this.byName.get(name);
    if (!found)
      fail(path, `no ${this.what} ${this.what === 'view' ? 'titled' : 'named'} ${quoted(name)} in ${this.section}`);
    return (found as { item: T }).item;
  }

  /** As `resolve`; null and undefined mean "none". */
  optional(path: string, name: string | null | undefined): string | null {
    if (name === null || name === undefined) return null;
    this.resolve(path, name);
    return name;
  }
}

/**
 * Everything a restore checks before it writes anything: unique names per section, every reference resolvable
 * within the backup (never against existing rows), and the rules the API applies to each object. Returns the rows to
 * create, templates in creation order (build and plain templates before deploy templates).
 */
export function planRestore(dto: BackupDto): RestorePlan {
  const keyList = dto.keys ?? [];
  const keys = new Section('keys', 'key', keyList, (k) => k.name);
  const environments = new Section('environments', 'environment', dto.environments ?? [], (e) => e.name);
  const views = new Section('views', 'view', dto.views ?? [], (v) => v.title, 'title');
  const repositories = new Section('repositories', 'repository', dto.repositories ?? [], (r) => r.name);
  const inventories = new Section('inventories', 'inventory', dto.inventories ?? [], (i) => i.name);
  const templateList = dto.templates ?? [];
  const templates = new Section('templates', 'template', templateList, (t) => t.name);
  new Section('integrations', 'integration', dto.integrations ?? [], (i) => i.name);
  const key: KeyLookup = (path, name) => keys.resolve(path, name);

  const planned = templateList.map((t, i) => {
    const path = `templates[${i}]`;
    const refs = {
      inventory: inventories.optional(`${path}.inventory`, t.inventory),
      repository: (repositories.resolve(`${path}.repository`, t.repository), t.repository),
      environment: environments.optional(`${path}.environment`, t.environment),
      view: views.optional(`${path}.view`, t.view),
      buildTemplate: buildTemplateOf(t, path, templates),
    };
    return templateRow(t, path, refs, key);
  });

  return {
    project: {
      name: dto.meta.name,
      alert: dto.meta.alert ?? false,
      alertChat: dto.meta.alert_chat ?? null,
      maxParallelTasks: dto.meta.max_parallel_tasks ?? 0,
      type: dto.meta.type ?? '',
    },
    keys: keyList.map((k) => ({ name: k.name, type: k.type })),
    environments: (dto.environments ?? []).map((e) => ({
      name: e.name,
      json: e.json ?? '{}',
      env: e.env === '' || e.env === undefined ? null : e.env,
    })),
    views: (dto.views ?? []).map((v) => ({ title: v.title, position: v.position ?? 0 })),
    repositories: repositoryRows(dto, keys),
    inventories: inventoryRows(dto, keys, repositories),
    templates: [
      ...planned.filter((t) => t.type !== TemplateType.Deploy),
      ...planned.filter((t) => t.type === TemplateType.Deploy),
    ],
    integrations: (dto.integrations ?? []).map((integration, i) =>
      integrationRow(integration, `integrations[${i}]`, templates, key),
    ),
    projectAliases: checkAliases(dto),
  };
}

function repositoryRows(dto: BackupDto, keys: Section<BackupKeyDto>): RestorePlan['repositories'] {
  return (dto.repositories ?? []).map((r, i) => {
    const gitBranch = r.git_branch ?? '';
    if (gitBranch === '' && !isLocalGitUrl(r.git_url)) {
      fail(`repositories[${i}].git_branch`, 'is required (except for local repositories)');
    }
    keys.resolve(`repositories[${i}].ssh_key`, r.ssh_key);
    return { name: r.name, gitUrl: r.git_url, gitBranch, sshKey: r.ssh_key };
  });
}

function inventoryRows(
  dto: BackupDto,
  keys: Section<BackupKeyDto>,
  repositories: Section<BackupRepositoryDto>,
): RestorePlan['inventories'] {
  return (dto.inventories ?? []).map((inv, i) => {
    const inventory = inv.inventory ?? '';
    const problem = inventoryTextProblem(inv.type, inventory);
    if (problem) fail(`inventories[${i}].inventory`, problem.replace(/^inventory /, ''));
    const becomeKey = keys.optional(`inventories[${i}].become_key`, inv.become_key);
    const becomeType = becomeKey === null ? null : keys.resolve('', becomeKey).type;
    if (becomeType !== null && !BECOME_KEY_TYPES.includes(becomeType)) {
      fail(
        `inventories[${i}].become_key`,
        `key ${quoted(becomeKey as string)} is of type ${becomeType}; become needs none or login_password`,
      );
    }
    return {
      name: inv.name,
      type: inv.type,
      inventory,
      sshKey: keys.optional(`inventories[${i}].ssh_key`, inv.ssh_key),
      becomeKey,
      repository: repositories.optional(`inventories[${i}].repository`, inv.repository),
    };
  });
}

/** Only deploy templates have a build template (as upstream's restore); it must be a template of type build. */
function buildTemplateOf(t: BackupTemplateDto, path: string, templates: Section<BackupTemplateDto>): string | null {
  if (t.type !== TemplateType.Deploy) return null;
  if (t.build_template === null || t.build_template === undefined) {
    return fail(`${path}.build_template`, 'is required for deploy templates');
  }
  const build = templates.resolve(`${path}.build_template`, t.build_template);
  if (build.type !== TemplateType.Build)
    fail(`${path}.build_template`, `${quoted(t.build_template)} is not a build template`);
  return t.build_template;
}

type KeyLookup = (path: string, name: string) => { type: AccessKeyType };

function templateRow(
  t: BackupTemplateDto,
  path: string,
  refs: Pick<PlannedTemplate, 'inventory' | 'repository' | 'environment' | 'view' | 'buildTemplate'>,
  key: KeyLookup,
): PlannedTemplate {
  const app = t.app ?? AppId.Ansible;
  const playbook = t.playbook ?? '';
  if (playbook === '' && !isTerraformApp(app)) fail(`${path}.playbook`, 'is required (except for terraform and tofu)');
  const pathProblem = playbook === '' ? null : relativePathProblem(playbook);
  if (pathProblem) fail(`${path}.playbook`, pathProblem);
  if (app === AppId.Ansible && refs.inventory === null) fail(`${path}.inventory`, 'is required for ansible templates');
  const cron = t.cron === null || t.cron === undefined || t.cron.trim() === '' ? null : t.cron.trim();
  const cronProblem = cron === null ? null : cronFormatProblem(cron);
  if (cronProblem) fail(`${path}.cron`, cronProblem);
  return {
    name: t.name,
    playbook,
    arguments: t.arguments === '' || t.arguments === undefined ? null : t.arguments,
    allowOverrideArgsInTask: t.allow_override_args_in_task ?? false,
    description: t.description ?? null,
    type: t.type ?? TemplateType.Default,
    startVersion: t.start_version ?? null,
    autorun: t.autorun ?? false,
    gitBranch: t.git_branch === '' || t.git_branch === undefined ? null : t.git_branch,
    surveyVars: surveyVars(t.survey_vars ?? [], `${path}.survey_vars`),
    suppressSuccessAlerts: t.suppress_success_alerts ?? false,
    app,
    allowOverrideBranchInTask: t.allow_override_branch_in_task ?? false,
    allowParallelTasks: t.allow_parallel_tasks ?? false,
    runnerTag: t.runner_tag === '' || t.runner_tag === undefined ? null : t.runner_tag,
    ...refs,
    vaults: vaults(t, path, key),
    cron,
  };
}

function surveyVars(vars: readonly SurveyVarDto[], path: string): SurveyVar[] {
  const names = new Map<string, number>();
  return vars.map((v, k) => {
    const earlier = names.get(v.name);
    if (earlier !== undefined) fail(`${path}[${k}].name`, `${quoted(v.name)} is used twice (also ${path}[${earlier}])`);
    names.set(v.name, k);
    if (v.type === 'enum' && !v.values?.length) fail(`${path}[${k}].values`, 'must list the values of an enum');
    return {
      name: v.name,
      title: v.title ?? '',
      required: v.required ?? false,
      type: v.type ?? '',
      description: v.description ?? '',
      values: v.values?.length ? v.values.map((value) => ({ name: value.name, value: value.value })) : null,
    };
  });
}

/** `vaults`, plus the deprecated single `vault_key` (a vault without a name) of older backups. */
function vaults(t: BackupTemplateDto, path: string, key: KeyLookup): PlannedTemplate['vaults'] {
  const result = (t.vaults ?? []).map((v, k) => {
    const name = v.name === '' || v.name === undefined ? null : v.name;
    if (name !== null && !VAULT_NAME.test(name)) {
      fail(`${path}.vaults[${k}].name`, 'may only contain letters, digits, "_", "." and "-" (not first)');
    }
    key(`${path}.vaults[${k}].vault_key`, v.vault_key);
    return { name, vaultKey: v.vault_key };
  });
  if (t.vault_key !== null && t.vault_key !== undefined) {
    key(`${path}.vault_key`, t.vault_key);
    if (!result.some((v) => v.name === null && v.vaultKey === t.vault_key))
      result.push({ name: null, vaultKey: t.vault_key });
  }
  return result;
}

function integrationRow(
  integration: BackupIntegrationDto,
  path: string,
  templates: Section<BackupTemplateDto>,
  key: KeyLookup,
): PlannedIntegration {
  templates.resolve(`${path}.template`, integration.template);
  const authMethod = integration.auth_method ?? IntegrationAuthMethod.None;
  const authSecret = integration.auth_secret ?? null;
  if (authSecret === null && authMethod !== IntegrationAuthMethod.None) {
    fail(`${path}.auth_secret`, `is required when auth_method is ${authMethod}`);
  }
  if (authSecret !== null) {
    const type = key(`${path}.auth_secret`, authSecret).type;
    if (type !== AccessKeyType.LoginPassword) {
      fail(`${path}.auth_secret`, `key ${quoted(authSecret)} is of type ${type}; a login_password key is needed`);
    }
  }
  const taskParams = integration.task_params ?? null;
  return {
    name: integration.name,
    template: integration.template,
    authMethod,
    authSecret,
    authHeader: integration.auth_header ?? '',
    searchable: integration.searchable ?? false,
    taskParams: taskParams && Object.keys(taskParams).length ? taskParams : null,
    aliases: integration.aliases ?? [],
    matchers: (integration.matchers ?? []).map((m, k) => matcherRow(m, `${path}.matchers[${k}]`)),
    extractValues: (integration.extract_values ?? []).map((v, k) => valueRow(v, `${path}.extract_values[${k}]`)),
  };
}

function matcherRow(
  m: CreateIntegrationMatcherDto,
  path: string,
): PlannedPart & { method: IntegrationMatchMethod; value: string } {
  const part = partRow(m.name, m.match_type, m.body_data_type, m.key, path);
  return { ...part, method: m.method ?? IntegrationMatchMethod.Equals, value: m.value };
}

function valueRow(v: CreateIntegrationValueDto, path: string): PlannedPart & { variable: string } {
  return { ...partRow(v.name, v.value_source, v.body_data_type, v.key, path), variable: v.variable };
}

/** A key names the header or the JSON path, except when the whole body is taken as a string. */
function partRow(
  name: string,
  source: IntegrationMatchType,
  bodyDataType: IntegrationBodyDataType | undefined,
  key: string | undefined,
  path: string,
): PlannedPart {
  const dataType = bodyDataType ?? IntegrationBodyDataType.Json;
  const wholeBody = source === IntegrationMatchType.Body && dataType === IntegrationBodyDataType.String;
  if (!wholeBody && (key ?? '').trim() === '') {
    fail(
      `${path}.key`,
      source === IntegrationMatchType.Header ? 'must name the header' : 'must be a JSON path of the body',
    );
  }
  return { name, source, bodyDataType: dataType, key: key ?? '' };
}

/** Project-level and integration aliases: each one at most once in the whole backup. */
function checkAliases(dto: BackupDto): string[] {
  const seen = new Map<string, string>();
  const check = (alias: string, path: string) => {
    const earlier = seen.get(alias);
    if (earlier) fail(path, `alias ${quoted(alias)} is listed twice (also ${earlier})`);
    seen.set(alias, path);
  };
  (dto.integrations ?? []).forEach((integration, i) =>
    (integration.aliases ?? []).forEach((alias, k) => check(alias, `integrations[${i}].aliases[${k}]`)),
  );
  const projectAliases = dto.integration_aliases ?? [];
  projectAliases.forEach((alias, k) => check(alias, `integration_aliases[${k}]`));
  return projectAliases;
}
