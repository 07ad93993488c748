import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** Largest accepted `max_parallel_tasks` (0 = no project limit). */
export const MAX_PARALLEL_TASKS_LIMIT = 100_000;

/** Fields shared by `POST /api/projects` and `PUT P`; `null` for an optional field means "not sent". */
class ProjectFieldsDto {
  @IsOptional()
  @IsBoolean({ message: 'alert must be a boolean' })
  alert?: boolean;

  /** A string, or null to clear it. */
  @ValidateIf((o: ProjectFieldsDto) => o.alert_chat !== undefined && o.alert_chat !== null)
  @IsString({ message: 'alert_chat must be a string or null' })
  @MaxLength(255, { message: 'alert_chat must be at most 255 characters' })
  alert_chat?: string | null;

  @IsOptional()
  @IsInt({ message: 'max_parallel_tasks must be an integer' })
  @Min(0, { message: 'max_parallel_tasks must be 0 or more' })
  @Max(MAX_PARALLEL_TASKS_LIMIT, { message: `max_parallel_tasks must be at most ${MAX_PARALLEL_TASKS_LIMIT}` })
  max_parallel_tasks?: number;

  @IsOptional()
  @IsString({ message: 'type must be a string' })
  @Matches(/^[a-z0-9_-]{0,64}$/, { message: 'type must be up to 64 characters of a-z 0-9 _ -' })
  type?: string;
}

/** `POST /api/projects`: a Project plus `demo` (accepted and ignored: no demo resources are created). */
export class CreateProjectDto extends ProjectFieldsDto {
  @IsString({ message: 'name must be a string' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  @Matches(/\S/, { message: 'name must not be empty' })
  name!: string;

  @IsOptional()
  @IsBoolean({ message: 'demo must be a boolean' })
  demo?: boolean;
}

/** `PUT P`: the Project; `id` must equal the URL. Fields left out keep their value. */
export class UpdateProjectDto extends ProjectFieldsDto {
  @IsInt({ message: 'id must be an integer equal to the project id in the URL' })
  id!: number;

  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  @Matches(/\S/, { message: 'name must not be empty' })
  name?: string;
}
