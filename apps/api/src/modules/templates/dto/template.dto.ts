import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Matches,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AppId, RUNNER_TAG_PATTERN, TemplateType } from '@semaphore/models';
import { SshOptionsDto } from './ssh-options.dto';

const MAX_DB_INT = 2_147_483_647;

/** A database id: a positive 32-bit integer (larger values would overflow the column and become a 500). */
export const IsDbId = (min = 1) => applyDecorators(IsInt(), Min(min), Max(MAX_DB_INT));

/** Survey variable types of upstream 2.10 (its UI: string, integer, enum, secret). */
export const SURVEY_VAR_TYPES = ['', 'int', 'enum', 'secret'] as const;

export class SurveyVarValueDto {
  @IsString()
  @MaxLength(255)
  name!: string;

  @IsString()
  @MaxLength(4096)
  value!: string;
}

export class SurveyVarDto {
  @IsString()
  @IsNotEmpty({ message: 'name is required' })
  @MaxLength(255)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  title?: string;

  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @IsOptional()
  @IsIn(SURVEY_VAR_TYPES, { message: `type must be one of: '', ${SURVEY_VAR_TYPES.slice(1).join(', ')}` })
  type?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  description?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => SurveyVarValueDto)
  values?: SurveyVarValueDto[] | null;
}

export class TemplateVaultDto {
  /** 0 (or absent) = a new vault; otherwise an existing vault of this template. */
  @IsOptional()
  @IsDbId(0)
  id?: number;

  @IsDbId()
  vault_key_id!: number;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string | null;
}

/** `POST P/templates` and `PUT P/templates/{id}` (the full object; `last_task` and `tasks` are ignored). */
export class TemplateDto {
  @IsOptional()
  @IsDbId(0)
  id?: number;

  @IsOptional()
  @IsDbId(0)
  project_id?: number;

  @IsOptional()
  @IsDbId()
  inventory_id?: number | null;

  @IsDbId()
  repository_id!: number;

  @IsOptional()
  @IsDbId()
  environment_id?: number | null;

  @IsString()
  @IsNotEmpty({ message: 'name is required' })
  @MaxLength(255)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  playbook?: string;

  @IsOptional()
  @IsString()
  @MaxLength(65536)
  arguments?: string | null;

  @IsOptional()
  @IsBoolean()
  allow_override_args_in_task?: boolean;

  @IsOptional()
  @IsBoolean()
  allow_override_branch_in_task?: boolean;

  @IsOptional()
  @IsBoolean()
  allow_parallel_tasks?: boolean;

  /** Only runners with this tag take the template's tasks (`tasks-<tag>` queue); null or "" for any runner. */
  @IsOptional()
  @ValidateIf((_, v) => v !== '')
  @Matches(RUNNER_TAG_PATTERN, { message: 'runner_tag must be lower-case letters, digits, _ and - (1-64 characters)' })
  runner_tag?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(65536)
  description?: string | null;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TemplateVaultDto)
  vaults?: TemplateVaultDto[] | null;

  @IsOptional()
  @IsIn(Object.values(TemplateType), { message: "type must be one of: '', build, deploy" })
  type?: TemplateType;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  start_version?: string | null;

  @IsOptional()
  @IsDbId()
  build_template_id?: number | null;

  @IsOptional()
  @IsDbId()
  view_id?: number | null;

  @IsOptional()
  @IsBoolean()
  autorun?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  git_branch?: string | null;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SurveyVarDto)
  survey_vars?: SurveyVarDto[] | null;

  @IsOptional()
  @IsBoolean()
  suppress_success_alerts?: boolean;

  @IsOptional()
  @IsIn(Object.values(AppId), { message: `app must be one of: ${Object.values(AppId).join(', ')}` })
  app?: string;

  /** Settings of `ssh` and `sftp` templates (this server's addition). */
  @IsOptional()
  @ValidateNested()
  @Type(() => SshOptionsDto)
  ssh_options?: SshOptionsDto | null;
}
