import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  AccessKeyType,
  AppId,
  IntegrationAuthMethod,
  InventoryType,
  RUNNER_TAG_PATTERN,
  TemplateType,
} from '@semaphore/models';
import {
  IsGitBranch,
  IsGitUrl,
  IsJsonObjectText,
  IsJsonStringArrayText,
  IsJsonStringMapText,
} from '../../../common/validators';
import { CreateIntegrationMatcherDto } from '../../integrations/dto/integration-matcher.dto';
import { CreateIntegrationValueDto } from '../../integrations/dto/integration-value.dto';
import { HEADER_NAME } from '../../integrations/dto/integration.dto';
import { MAX_PARALLEL_TASKS_LIMIT } from '../../projects/dto/project.dto';
import { SurveyVarDto } from '../../templates/dto/template.dto';
import { MAX_NAME_LENGTH, NO_CONTROL_CHARACTERS } from '../backup-names';

/*
 * The shape of a backup given to `POST /api/projects/restore` (reference §6.4). Types, lengths and enum values are
 * checked here; uniqueness and cross references in backup-references.ts. Unknown fields are dropped (upstream ignores
 * them too), including any `id`: a backup never points at existing rows. Messages follow the field's path.
 */

/** Items per section; far beyond real projects, it bounds the work one request can cause. */
export const MAX_SECTION_ITEMS = 5000;
/** Survey variables, vaults, matchers, extract values and aliases per object. */
export const MAX_PART_ITEMS = 100;

/** Restored key types: `string` is internal (environment secrets). */
export const RESTORABLE_KEY_TYPES = [AccessKeyType.None, AccessKeyType.Ssh, AccessKeyType.LoginPassword];
/** What an integration alias may look like: it is a path segment of the public webhook URL. */
const ALIAS = /^[A-Za-z0-9_-]{1,64}$/;

const list = (values: readonly string[]) => values.map((v) => (v === '' ? "''" : v)).join(', ');
const oneOf = (values: readonly string[]) => IsIn(values, { message: `must be one of ${list(values)}` });

/** Every item of the array is a JSON object (ValidateNested alone lets arrays and primitives slip through). */
const IsObjectList = () =>
  ValidateBy({
    name: 'isObjectList',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
      defaultMessage: () => 'must be a list of objects',
    },
  });

/** An optional (null or absent) list of at most `max` objects, each checked as `type`. */
const NestedList = (type: () => new () => object, max: number) =>
  applyDecorators(
    IsOptional(),
    IsArray({ message: 'must be a list' }),
    ArrayMaxSize(max, { message: `must have at most ${max} items` }),
    IsObjectList(),
    ValidateNested({ each: true }),
    Type(type),
  );

/** A name (or view title): 1 to 255 characters, no control characters. */
const IsBackupName = () =>
  applyDecorators(
    IsString({ message: 'must be a string' }),
    Length(1, MAX_NAME_LENGTH, { message: `must be 1 to ${MAX_NAME_LENGTH} characters` }),
    Matches(NO_CONTROL_CHARACTERS, { message: 'must not contain control characters' }),
  );

/** The name of another object of the backup; whether it exists is checked afterwards. */
const IsReference = () =>
  applyDecorators(
    IsString({ message: 'must be a string (a name)' }),
    MaxLength(MAX_NAME_LENGTH, { message: `must be at most ${MAX_NAME_LENGTH} characters` }),
  );

const OptionalReference = () => applyDecorators(IsOptional(), IsReference());
const OptionalBoolean = () => applyDecorators(IsOptional(), IsBoolean({ message: 'must be true or false' }));
const OptionalText = (max: number) =>
  applyDecorators(
    IsOptional(),
    IsString({ message: 'must be a string' }),
    MaxLength(max, { message: `must be at most ${max} characters` }),
  );
/** Checked only when set and not '' (which, as null, means "none"). */
const unlessEmpty = () => ValidateIf((_: object, v: unknown) => v !== undefined && v !== null && v !== '');

export class BackupMetaDto {
  @IsBackupName()
  name!: string;

  @OptionalBoolean()
  alert?: boolean;

  @OptionalText(255)
  alert_chat?: string | null;

  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(MAX_PARALLEL_TASKS_LIMIT, { message: `must be at most ${MAX_PARALLEL_TASKS_LIMIT}` })
  max_parallel_tasks?: number;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  @Matches(/^[a-z0-9_-]{0,64}$/, { message: 'must be up to 64 characters of a-z 0-9 _ -' })
  type?: string;
}

export class BackupKeyDto {
  @IsBackupName()
  name!: string;

  @oneOf(RESTORABLE_KEY_TYPES)
  type!: AccessKeyType;
}

export class BackupEnvironmentDto {
  @IsBackupName()
  name!: string;

  @OptionalText(1_000_000)
  @IsJsonObjectText()
  json?: string;

  @unlessEmpty()
  @IsString({ message: 'must be a string' })
  @MaxLength(1_000_000, { message: 'must be at most 1000000 characters' })
  @IsJsonStringMapText()
  env?: string | null;
}

export class BackupRepositoryDto {
  @IsBackupName()
  name!: string;

  @IsString({ message: 'must be a string' })
  @IsGitUrl()
  git_url!: string;

  @unlessEmpty()
  @IsString({ message: 'must be a string' })
  @MaxLength(255, { message: 'must be at most 255 characters' })
  @IsGitBranch()
  git_branch?: string;

  @IsDefined({ message: 'is required (the name of a key; "None" for public repositories)' })
  @IsReference()
  ssh_key!: string;
}

export class BackupInventoryDto {
  @IsBackupName()
  name!: string;

  @oneOf(Object.values(InventoryType))
  type!: InventoryType;

  @OptionalText(1_000_000)
  inventory?: string;

  @OptionalReference()
  ssh_key?: string | null;

  @OptionalReference()
  become_key?: string | null;

  @OptionalReference()
  repository?: string | null;
}

export class BackupViewDto {
  @IsBackupName()
  title!: string;

  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(-2_147_483_648, { message: 'must be a 32-bit integer' })
  @Max(2_147_483_647, { message: 'must be a 32-bit integer' })
  position?: number;
}

export class BackupVaultDto {
  @OptionalText(255)
  name?: string | null;

  @IsDefined({ message: 'is required (the name of a key)' })
  @IsReference()
  vault_key!: string;
}

export class BackupTemplateDto {
  @IsBackupName()
  name!: string;

  @OptionalText(1024)
  playbook?: string;

  @unlessEmpty()
  @IsString({ message: 'must be a string' })
  @MaxLength(65_536, { message: 'must be at most 65536 characters' })
  @IsJsonStringArrayText()
  arguments?: string | null;

  @OptionalBoolean()
  allow_override_args_in_task?: boolean;

  @OptionalText(65_536)
  description?: string | null;

  @IsOptional()
  @oneOf(Object.values(TemplateType))
  type?: TemplateType;

  @OptionalText(255)
  start_version?: string | null;

  @OptionalBoolean()
  autorun?: boolean;

  @unlessEmpty()
  @IsString({ message: 'must be a string' })
  @MaxLength(255, { message: 'must be at most 255 characters' })
  @IsGitBranch()
  git_branch?: string | null;

  @NestedList(() => SurveyVarDto, MAX_PART_ITEMS)
  survey_vars?: SurveyVarDto[] | null;

  @OptionalBoolean()
  suppress_success_alerts?: boolean;

  @IsOptional()
  @oneOf(Object.values(AppId))
  app?: AppId;

  @OptionalReference()
  inventory?: string | null;

  @IsDefined({ message: 'is required (the name of a repository)' })
  @IsReference()
  repository!: string;

  @OptionalReference()
  environment?: string | null;

  @OptionalReference()
  build_template?: string | null;

  @OptionalReference()
  view?: string | null;

  @NestedList(() => BackupVaultDto, MAX_PART_ITEMS)
  vaults?: BackupVaultDto[] | null;

  /** Deprecated (older backups): one vault key without a vault name. */
  @OptionalReference()
  vault_key?: string | null;

  @OptionalText(255)
  cron?: string | null;

  @OptionalBoolean()
  allow_override_branch_in_task?: boolean;

  @OptionalBoolean()
  allow_parallel_tasks?: boolean;

  @unlessEmpty()
  @Matches(RUNNER_TAG_PATTERN, { message: 'must be lower-case letters, digits, _ and - (1-64 characters)' })
  runner_tag?: string | null;
}

export class BackupIntegrationDto {
  @IsBackupName()
  name!: string;

  @IsOptional()
  @oneOf(Object.values(IntegrationAuthMethod))
  auth_method?: IntegrationAuthMethod;

  @OptionalText(255)
  @Matches(HEADER_NAME, { message: 'must be an HTTP header name' })
  auth_header?: string;

  @OptionalBoolean()
  searchable?: boolean;

  @IsOptional()
  @IsObject({ message: 'must be a JSON object' })
  task_params?: Record<string, unknown> | null;

  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(MAX_PART_ITEMS, { message: `must have at most ${MAX_PART_ITEMS} items` })
  @Matches(ALIAS, { each: true, message: 'must hold aliases of 1-64 characters a-z A-Z 0-9 _ -' })
  aliases?: string[] | null;

  @NestedList(() => CreateIntegrationMatcherDto, MAX_PART_ITEMS)
  matchers?: CreateIntegrationMatcherDto[] | null;

  @NestedList(() => CreateIntegrationValueDto, MAX_PART_ITEMS)
  extract_values?: CreateIntegrationValueDto[] | null;

  @IsDefined({ message: 'is required (the name of a template)' })
  @IsReference()
  template!: string;

  @OptionalReference()
  auth_secret?: string | null;
}

/** The whole backup. Sections may be absent or null (= empty). */
export class BackupDto {
  @IsDefined({ message: 'is required' })
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => BackupMetaDto)
  meta!: BackupMetaDto;

  @NestedList(() => BackupKeyDto, MAX_SECTION_ITEMS)
  keys?: BackupKeyDto[] | null;

  @NestedList(() => BackupEnvironmentDto, MAX_SECTION_ITEMS)
  environments?: BackupEnvironmentDto[] | null;

  @NestedList(() => BackupRepositoryDto, MAX_SECTION_ITEMS)
  repositories?: BackupRepositoryDto[] | null;

  @NestedList(() => BackupInventoryDto, MAX_SECTION_ITEMS)
  inventories?: BackupInventoryDto[] | null;

  @NestedList(() => BackupViewDto, MAX_SECTION_ITEMS)
  views?: BackupViewDto[] | null;

  @NestedList(() => BackupTemplateDto, MAX_SECTION_ITEMS)
  templates?: BackupTemplateDto[] | null;

  @NestedList(() => BackupIntegrationDto, MAX_SECTION_ITEMS)
  integrations?: BackupIntegrationDto[] | null;

  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(MAX_PART_ITEMS, { message: `must have at most ${MAX_PART_ITEMS} items` })
  @Matches(ALIAS, { each: true, message: 'must hold aliases of 1-64 characters a-z A-Z 0-9 _ -' })
  integration_aliases?: string[] | null;
}
