import { IsString, Matches, MaxLength } from 'class-validator';

/** `POST /api/options`: dotted keys of letters, digits, `_` and `-` (e.g. `apps.ansible.active`). */
export class OptionDto {
  @IsString({ message: 'key must be a string' })
  @MaxLength(255, { message: 'key must be at most 255 characters' })
  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
    message: 'key must be dot-separated words of A-Z a-z 0-9 _ - (e.g. apps.ansible.active)',
  })
  key!: string;

  @IsString({ message: 'value must be a string' })
  @MaxLength(65_536, { message: 'value must be at most 65536 characters' })
  value!: string;
}
