import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Largest id PostgreSQL's `integer` holds. */
export const MAX_ID = 2_147_483_647;

/**
 * The `id` and `project_id` every project object's body may carry. They are only compared with the URL (a different
 * value is a 400), never used to pick what is written.
 */
export class ProjectObjectIdsDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ID)
  id?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ID)
  project_id?: number | null;
}

/** A project object with a required `name` (keys, repositories, inventories, environments). */
export class NamedProjectObjectDto extends ProjectObjectIdsDto {
  @IsString()
  @IsNotEmpty({ message: 'name is required' })
  @MaxLength(255)
  name!: string;
}
