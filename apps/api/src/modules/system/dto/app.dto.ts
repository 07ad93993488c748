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
} from 'class-validator';

/** An executable: '' (unset), an absolute path or a bare command name; never something that looks like an option. */
const APP_PATH = /^(|\/[^\0\r\n]*|[A-Za-z0-9_.+][A-Za-z0-9_.+-]*)$/;

/** `PUT|POST /api/apps/{app_id}`: the App; fields left out keep their value, '' and [] delete it. */
export class AppDto {
  @IsOptional()
  @IsBoolean({ message: 'active must be a boolean' })
  active?: boolean;

  @IsOptional()
  @IsInt({ message: 'priority must be an integer' })
  @Min(0, { message: 'priority must be 0 or more' })
  @Max(1_000_000, { message: 'priority must be at most 1000000' })
  priority?: number;

  @IsOptional()
  @IsString({ message: 'title must be a string' })
  @MaxLength(255, { message: 'title must be at most 255 characters' })
  title?: string;

  @IsOptional()
  @IsString({ message: 'icon must be a string' })
  @MaxLength(255, { message: 'icon must be at most 255 characters' })
  icon?: string;

  @IsOptional()
  @IsString({ message: 'color must be a string' })
  @MaxLength(64, { message: 'color must be at most 64 characters' })
  color?: string;

  @IsOptional()
  @IsString({ message: 'dark_color must be a string' })
  @MaxLength(64, { message: 'dark_color must be at most 64 characters' })
  dark_color?: string;

  @IsOptional()
  @IsString({ message: 'path must be a string' })
  @MaxLength(1024, { message: 'path must be at most 1024 characters' })
  @Matches(APP_PATH, { message: 'path must be an absolute path or a command name (not starting with -)' })
  path?: string;

  @IsOptional()
  @IsArray({ message: 'args must be an array of strings' })
  @ArrayMaxSize(100, { message: 'args must have at most 100 items' })
  @IsString({ each: true, message: 'args must be an array of strings' })
  @MaxLength(1024, { each: true, message: 'args items must be at most 1024 characters' })
  args?: string[];
}

/** `POST /api/apps/{app_id}/active`. */
export class AppActiveDto {
  @IsBoolean({ message: 'active must be a boolean' })
  active!: boolean;
}
