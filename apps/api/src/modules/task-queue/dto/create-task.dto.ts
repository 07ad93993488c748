import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsGitBranch, IsJsonObjectText, IsJsonStringArrayText, IsRelativePath } from '../../../common/validators';

const MAX_DB_INT = 2_147_483_647;
const MAX_JSON_TEXT = 1_000_000;

/** A database id: a positive 32-bit integer. */
const IsTaskDbId = () => applyDecorators(IsInt(), Min(1), Max(MAX_DB_INT));

/** Validates a string field only when it is present and not empty ('' means "not set", as upstream). */
const WhenNotEmpty = () =>
  ValidateIf((_: unknown, value: unknown) => value !== undefined && value !== null && value !== '');

/** App parameters (terraform `plan` / `auto_approve`); unknown keys are dropped. */
export class TaskParamsDto {
  @IsOptional()
  @IsBoolean()
  plan?: boolean;

  @IsOptional()
  @IsBoolean()
  auto_approve?: boolean;
}

/**
 * `POST P/tasks` (reference §1.4 "Create body"). Server-owned fields (`id`, `status`, `user_id`, `created`, `version`,
 * `integration_id`, `schedule_id`, ...) are not declared, so the whitelist drops them.
 */
export class CreateTaskDto {
  @IsDefined({ message: 'template_id is required' })
  @IsTaskDbId()
  template_id!: number;

  /** Sent by the UI; must be the project of the URL when present. */
  @IsOptional()
  @IsInt()
  project_id?: number | null;

  @IsOptional()
  @IsBoolean()
  debug?: boolean;

  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;

  @IsOptional()
  @IsBoolean()
  diff?: boolean;

  /** Overrides the template's playbook; '' = the template's. */
  @IsOptional()
  @IsString()
  @WhenNotEmpty()
  @IsRelativePath()
  playbook?: string;

  /** JSON object text of extra variables, stored exactly as sent; '' = `{}`. */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_JSON_TEXT)
  @WhenNotEmpty()
  @IsJsonObjectText()
  environment?: string;

  /** JSON object text of survey secrets: used by the run, never stored in plaintext, never returned. */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_JSON_TEXT)
  @WhenNotEmpty()
  @IsJsonObjectText()
  secret?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  // eslint-disable-next-line no-control-regex
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'limit must not contain control characters' })
  limit?: string;

  /** JSON array text of extra arguments; only when the template allows overriding them. */
  @IsOptional()
  @IsString()
  @MaxLength(65_536)
  @WhenNotEmpty()
  @IsJsonStringArrayText()
  arguments?: string | null;

  /** Only when the template allows overriding the branch. */
  @IsOptional()
  @IsString()
  @WhenNotEmpty()
  @IsGitBranch()
  git_branch?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  message?: string;

  @IsOptional()
  @IsString()
  @WhenNotEmpty()
  @Matches(/^[0-9a-fA-F]{7,64}$/, { message: 'commit_hash must be a hexadecimal commit id (7 to 64 characters)' })
  commit_hash?: string | null;

  @IsOptional()
  @IsTaskDbId()
  inventory_id?: number | null;

  /** Deploy templates: a successful task of the build template, whose version is deployed. */
  @IsOptional()
  @IsTaskDbId()
  build_task_id?: number | null;

  @IsOptional()
  @IsObject({ message: 'params must be an object' })
  @ValidateNested()
  @Type(() => TaskParamsDto)
  params?: TaskParamsDto | null;
}
