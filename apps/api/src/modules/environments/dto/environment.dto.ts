import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { EnvironmentSecretType } from '@semaphore/models';
import { IsJsonObjectText, IsJsonStringMapText } from '../../../common/validators';
import { EnvironmentSecretOperation } from '../../../wire';
import { MAX_ID, NamedProjectObjectDto } from '../../../common/dto/project-object.dto';

const SECRET_ID_MESSAGE = 'id is required to update or delete a secret (the id of a secret of this environment)';
const SECRET_TYPES = Object.values(EnvironmentSecretType);
const OPERATIONS = Object.values(EnvironmentSecretOperation);
/** A variable name usable in extra vars and in a process environment. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const changes = (o: EnvironmentSecretDto) => (OPERATIONS as unknown[]).includes(o.operation);
const createsOrUpdates = (o: EnvironmentSecretDto) =>
  o.operation === EnvironmentSecretOperation.Create || o.operation === EnvironmentSecretOperation.Update;

/**
 * One item of `secrets`. Items whose `operation` is '' (as `GET` returns them) change nothing and are not checked;
 * `update` and `delete` need the `id` of a secret of this environment (checked by the service).
 */
export class EnvironmentSecretDto {
  @ValidateIf((o: EnvironmentSecretDto) => changes(o) && o.operation !== EnvironmentSecretOperation.Create)
  @IsInt({ message: SECRET_ID_MESSAGE })
  @Min(1, { message: SECRET_ID_MESSAGE })
  @Max(MAX_ID, { message: SECRET_ID_MESSAGE })
  id?: number;

  @ValidateIf(createsOrUpdates)
  @IsIn(SECRET_TYPES, { message: `type must be one of ${SECRET_TYPES.join(', ')}` })
  type?: EnvironmentSecretType;

  @ValidateIf(createsOrUpdates)
  @IsString()
  @MaxLength(255)
  @Matches(SECRET_NAME, { message: 'name must start with a letter or "_" and contain only letters, digits and "_"' })
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(65_536)
  secret?: string;

  @IsOptional()
  @IsIn([...OPERATIONS, ''], { message: `operation must be one of ${OPERATIONS.join(', ')} (or empty)` })
  operation?: EnvironmentSecretOperation | '';
}

/**
 * `POST P/environment` and `PUT P/environment/{id}` (the full object, as upstream). The legacy `password` field is not
 * read (see docs/compatibility.md): it is always null.
 */
export class EnvironmentDto extends NamedProjectObjectDto {
  /** Extra variables; '{}' when absent. */
  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  @IsJsonObjectText()
  json?: string;

  /** Environment variables; null when absent, null or ''. */
  @ValidateIf((o: EnvironmentDto) => o.env !== undefined && o.env !== null && o.env !== '')
  @IsString()
  @MaxLength(1_000_000)
  @IsJsonStringMapText()
  env?: string | null;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => EnvironmentSecretDto)
  secrets?: EnvironmentSecretDto[] | null;
}
