import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { RUNNER_TAG_PATTERN } from '@semaphore/models';

const MAX_INT = 2_147_483_647;
const TAG_MESSAGE = 'tags must be lower-case letters, digits, _ and - (1-64 characters each)';

/** `POST /api/runners` and `PUT /api/runners/{id}`: every field optional (PUT keeps what is not sent). */
export class RunnerDto {
  @IsOptional()
  @IsInt({ message: 'id must be an integer' })
  @Min(0)
  @Max(MAX_INT)
  id?: number;

  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt({ message: 'project_id must be an integer or null' })
  @Min(0)
  @Max(MAX_INT)
  project_id?: number | null;

  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name?: string;

  @IsOptional()
  @IsString({ message: 'webhook must be a string' })
  @MaxLength(2048, { message: 'webhook must be at most 2048 characters' })
  webhook?: string;

  @IsOptional()
  @IsInt({ message: 'max_parallel_tasks must be an integer' })
  @Min(0, { message: 'max_parallel_tasks must not be negative' })
  @Max(100_000, { message: 'max_parallel_tasks must be at most 100000' })
  max_parallel_tasks?: number;

  @IsOptional()
  @IsBoolean({ message: 'active must be a boolean' })
  active?: boolean;

  @IsOptional()
  @Matches(RUNNER_TAG_PATTERN, { each: true, message: TAG_MESSAGE })
  @IsString({ each: true, message: 'tags must be an array of strings' })
  @ArrayMaxSize(32, { message: 'tags must have at most 32 items' })
  @IsArray({ message: 'tags must be an array of strings' })
  tags?: string[];
}

/** `POST /api/runners/{id}/active`. */
export class RunnerActiveDto {
  @IsBoolean({ message: 'active must be a boolean' })
  active!: boolean;
}

/** `POST /api/internal/runners` (public; the token is checked by the service so a missing one reads as invalid). */
export class RegisterRunnerDto {
  @IsOptional()
  @IsString({ message: 'registration_token must be a string' })
  @MaxLength(1024, { message: 'registration_token is too long' })
  registration_token?: string;

  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  name?: string;

  @IsOptional()
  @Matches(RUNNER_TAG_PATTERN, { each: true, message: TAG_MESSAGE })
  @IsString({ each: true, message: 'tags must be an array of strings' })
  @ArrayMaxSize(32, { message: 'tags must have at most 32 items' })
  @IsArray({ message: 'tags must be an array of strings' })
  tags?: string[];

  @IsOptional()
  @IsInt({ message: 'max_parallel_tasks must be an integer' })
  @Min(0, { message: 'max_parallel_tasks must not be negative' })
  @Max(100_000, { message: 'max_parallel_tasks must be at most 100000' })
  max_parallel_tasks?: number;

  @IsOptional()
  @IsString({ message: 'webhook must be a string' })
  @MaxLength(2048, { message: 'webhook must be at most 2048 characters' })
  webhook?: string;
}
