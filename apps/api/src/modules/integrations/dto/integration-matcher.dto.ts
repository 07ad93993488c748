import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { IntegrationBodyDataType, IntegrationMatchMethod, IntegrationMatchType } from '@semaphore/models';
import { MAX_DB_ID } from './integration.dto';

const MATCH_TYPES = Object.values(IntegrationMatchType);
const MATCH_METHODS = Object.values(IntegrationMatchMethod);
const BODY_DATA_TYPES = Object.values(IntegrationBodyDataType);

/** Largest matcher value (the column is text; webhook values are short). */
const MAX_MATCH_VALUE = 65_535;

class MatcherFieldsDto {
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
  @IsIn(MATCH_METHODS, { message: 'method must be one of equals, unequals, contains' })
  method?: IntegrationMatchMethod;

  @IsOptional()
  @IsIn(BODY_DATA_TYPES, { message: 'body_data_type must be one of json, string' })
  body_data_type?: IntegrationBodyDataType;

  /** A header name or a JSON dot path; not needed when matching the whole body as a string. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  key?: string;
}

/** `POST .../matchers`: name, match_type and value are required (key too, except for body + string). */
export class CreateIntegrationMatcherDto extends MatcherFieldsDto {
  @IsString()
  @Length(1, 255)
  name!: string;

  @IsIn(MATCH_TYPES, { message: 'match_type must be one of body, header' })
  match_type!: IntegrationMatchType;

  @IsString()
  @Length(1, MAX_MATCH_VALUE)
  value!: string;
}

/** `PUT .../matchers/{id}`: fields not sent keep their stored values. */
export class UpdateIntegrationMatcherDto extends MatcherFieldsDto {
  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string;

  @IsOptional()
  @IsIn(MATCH_TYPES, { message: 'match_type must be one of body, header' })
  match_type?: IntegrationMatchType;

  @IsOptional()
  @IsString()
  @Length(1, MAX_MATCH_VALUE)
  value?: string;
}
