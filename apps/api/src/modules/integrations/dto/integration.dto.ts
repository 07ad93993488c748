import {
  IsBoolean,
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
} from 'class-validator';
import { IntegrationAuthMethod } from '@semaphore/models';

/** Largest value of a PostgreSQL `integer` column: bigger ids are refused with a 400, not a database error. */
export const MAX_DB_ID = 2_147_483_647;

/** An HTTP header name (RFC 9110 token), or '' for none. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]*$/;

const AUTH_METHODS = Object.values(IntegrationAuthMethod);

/** Fields that are optional on create and update. `id`/`project_id` may be sent but must match the URL. */
class IntegrationFieldsDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DB_ID)
  id?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DB_ID)
  project_id?: number;

  @IsOptional()
  @IsIn(AUTH_METHODS, { message: 'auth_method must be one of "", github, token, hmac' })
  auth_method?: IntegrationAuthMethod;

  /** An access key (login_password) of the project; its password is the webhook secret. null clears it. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DB_ID)
  auth_secret_id?: number | null;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(HEADER_NAME, { message: 'auth_header must be an HTTP header name' })
  auth_header?: string;

  @IsOptional()
  @IsBoolean()
  searchable?: boolean;

  @IsOptional()
  @IsObject()
  task_params?: Record<string, unknown> | null;
}

/** `POST P/integrations`: name and template_id are required. */
export class CreateIntegrationDto extends IntegrationFieldsDto {
  @IsString()
  @Length(1, 255)
  name!: string;

  @IsInt()
  @Min(1)
  @Max(MAX_DB_ID)
  template_id!: number;
}

/** `PUT P/integrations/{id}`: fields not sent keep their stored values. */
export class UpdateIntegrationDto extends IntegrationFieldsDto {
  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DB_ID)
  template_id?: number;
}
