import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const MAX_DB_INT = 2_147_483_647;

/** `POST P/schedules` and `PUT P/schedules/{id}` (the full object, as upstream). */
export class ScheduleDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DB_INT)
  id?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DB_INT)
  project_id?: number;

  @IsInt()
  @Min(1)
  @Max(MAX_DB_INT)
  template_id!: number;

  @IsString()
  @MaxLength(255)
  cron_format!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DB_INT)
  repository_id?: number | null;
}

/** `POST P/schedules/validate`; a missing format is an empty one (refused as upstream). */
export class CronFormatDto {
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cron_format?: string;
}

/** `PUT P/schedules/{id}/active`. */
export class ScheduleActiveDto {
  @IsBoolean()
  active!: boolean;
}
