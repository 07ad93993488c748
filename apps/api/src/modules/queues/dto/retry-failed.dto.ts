import { IsInt, IsISO8601, IsOptional, IsString, Max, Min } from 'class-validator';
import { MAX_ID } from '../../../common/dto/project-object.dto';

/** The most tasks one bulk retry creates. */
export const RETRY_FAILED_MAX = 100;

/** `POST .../queues/retry-failed`. */
export class RetryFailedDto {
  /** Only the failed tasks of this template (of the project, on project routes). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  template_id?: number | null;

  /** Only tasks that failed at or after this time (ISO 8601; default: 24 hours ago). */
  @IsOptional()
  @IsString()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'since must be an ISO 8601 time' })
  since?: string | null;

  /** At most this many retries (1 to 100, default 100). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(RETRY_FAILED_MAX)
  limit?: number | null;
}
