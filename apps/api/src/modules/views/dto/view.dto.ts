import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `POST P/views` and `PUT P/views/{id}` (the full object, as upstream). */
export class ViewDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  id?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  project_id?: number;

  @IsString()
  @IsNotEmpty({ message: 'title is required' })
  @MaxLength(255)
  title!: string;

  @IsOptional()
  @IsInt()
  @Min(-2_147_483_648)
  @Max(2_147_483_647)
  position?: number;
}
