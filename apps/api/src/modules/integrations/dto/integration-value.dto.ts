import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IntegrationBodyDataType, IntegrationMatchType } from '@semaphore/models';
import { MAX_DB_ID } from './integration.dto';

const VALUE_SOURCES = Object.values(IntegrationMatchType);
const BODY_DATA_TYPES = Object.values(IntegrationBodyDataType);

/** The variable a value is stored under: a valid environment variable name. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VARIABLE_MESSAGE =
  'variable must be a valid environment variable name (letters, digits, _; not starting with a digit)';

class ValueFieldsDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DB_ID)
  id?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DB_ID)
  integration_id?: number;

  @IsOptional()
  @IsIn(BODY_DATA_TYPES, { message: 'body_data_type must be one of json, string' })
  body_data_type?: IntegrationBodyDataType;

  /** A header name or a JSON dot path; not needed when taking the whole body as a string. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  key?: string;
}

/** `POST .../values`: name, value_source and variable are required (key too, except for body + string). */
export class CreateIntegrationValueDto extends ValueFieldsDto {
  @IsString()
  @Length(1, 255)
  name!: string;

  @IsIn(VALUE_SOURCES, { message: 'value_source must be one of body, header' })
  value_source!: IntegrationMatchType;

  @IsString()
  @MaxLength(255)
  @Matches(VARIABLE_NAME, { message: VARIABLE_MESSAGE })
  variable!: string;
}

/** `PUT .../values/{id}`: fields not sent keep their stored values. */
export class UpdateIntegrationValueDto extends ValueFieldsDto {
  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string;

  @IsOptional()
  @IsIn(VALUE_SOURCES, { message: 'value_source must be one of body, header' })
  value_source?: IntegrationMatchType;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(VARIABLE_NAME, { message: VARIABLE_MESSAGE })
  variable?: string;
}
