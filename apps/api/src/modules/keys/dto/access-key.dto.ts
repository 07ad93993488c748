import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { AccessKeyType } from '@semaphore/models';
import { NamedProjectObjectDto } from '../../../common/dto/project-object.dto';

/** Types a client may create; `string` is internal (environment secrets, reference §4). */
export const CLIENT_KEY_TYPES = [AccessKeyType.None, AccessKeyType.Ssh, AccessKeyType.LoginPassword] as const;

export class SshSecretDto {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  login?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  passphrase?: string;

  @IsOptional()
  @IsString()
  @MaxLength(65_536)
  private_key?: string;
}

export class LoginPasswordSecretDto {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  login?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  password?: string;
}

/**
 * `POST P/keys` and `PUT P/keys/{id}` (the full object, as upstream). `type` is required on create and on an update
 * with `override_secret` (checked by the service, which also checks the secret that the type needs).
 */
export class AccessKeyDto extends NamedProjectObjectDto {
  @IsOptional()
  @IsIn(CLIENT_KEY_TYPES, { message: `type must be one of ${CLIENT_KEY_TYPES.join(', ')}` })
  type?: AccessKeyType;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SshSecretDto)
  ssh?: SshSecretDto | null;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LoginPasswordSecretDto)
  login_password?: LoginPasswordSecretDto | null;

  @IsOptional()
  @IsBoolean()
  override_secret?: boolean;
}
