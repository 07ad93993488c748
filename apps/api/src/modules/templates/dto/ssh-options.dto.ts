import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HostKeyMode, RETRYABLE_SSH_ERROR_CODES, SftpOperation, SyncCompare } from '@semaphore/models';

const DAY_SECONDS = 86_400;

export class SshRetryDto {
  /** Runs in all (1 = no retry). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  attempts?: number;

  /** Seconds before the first retry. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(3600)
  backoff?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(10)
  backoff_factor?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(RETRYABLE_SSH_ERROR_CODES.length)
  @IsIn(RETRYABLE_SSH_ERROR_CODES, {
    each: true,
    message: `retry_on may only name: ${RETRYABLE_SSH_ERROR_CODES.join(', ')} (authentication and host key failures are never retried)`,
  })
  retry_on?: string[];
}

/** `ssh_options` of `ssh` and `sftp` templates; which fields apply depends on the app and operation. */
export class SshOptionsDto {
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  command?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  script?: string;

  @IsOptional()
  @IsIn([...Object.values(SftpOperation), null], {
    message: `operation must be one of: ${Object.values(SftpOperation).join(', ')}`,
  })
  operation?: SftpOperation | null;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  source?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  destination?: string;

  @IsOptional()
  @IsIn(Object.values(SyncCompare), { message: `compare must be one of: ${Object.values(SyncCompare).join(', ')}` })
  compare?: SyncCompare;

  @IsOptional()
  @IsBoolean()
  delete?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  parallelism?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  tolerate_failures?: number;

  /** Seconds. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(600)
  connect_timeout?: number;

  /** Seconds without output or progress (0: no limit). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(DAY_SECONDS)
  idle_timeout?: number;

  /** Seconds per host (0: no limit besides the task's). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(7 * DAY_SECONDS)
  command_timeout?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => SshRetryDto)
  retry?: SshRetryDto;

  @IsOptional()
  @IsIn(Object.values(HostKeyMode), {
    message: `host_key_mode must be one of: ${Object.values(HostKeyMode).join(', ')}`,
  })
  host_key_mode?: HostKeyMode;
}
