import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';

/** `POST /api/internal/runners/commit-checks/{schedule_id}`: a runner's answer, a commit hash or an error text. */
export class CommitReportDto {
  @IsInt({ message: 'fire_time must be an integer (epoch milliseconds)' })
  @Min(0, { message: 'fire_time must not be negative' })
  fire_time!: number;

  @IsOptional()
  @IsString({ message: 'commit_hash must be a string' })
  @Matches(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, { message: 'commit_hash must be a 40 or 64 character hexadecimal hash' })
  commit_hash?: string;

  @IsOptional()
  @IsString({ message: 'error must be a string' })
  @MaxLength(2000, { message: 'error must be at most 2000 characters' })
  error?: string;
}
