import {
  IsBoolean,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { EMAIL_RE, LOGIN_RE, passwordProblem } from '../new-user.validation';

const USERNAME_MESSAGE = 'username may contain letters, digits and . _ @ - and must start with a letter or digit';
const NAME_RE = /\S/;

/** A new password: at least 8 characters and at most 72 bytes (bcrypt), message naming the field. */
function IsNewPassword(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNewPassword',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && passwordProblem(value) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'string'
            ? (passwordProblem(args.value, args.property) ?? `${args.property} is invalid`)
            : `${args?.property ?? 'password'} must be a string`,
      },
    },
    options,
  );
}

/** `POST /api/users`: a `UserWithPwd`. `id`, `created` and `external` are server-owned and dropped. */
export class CreateUserDto {
  @Matches(LOGIN_RE, { message: USERNAME_MESSAGE })
  @IsString({ message: 'username must be a string' })
  @IsDefined({ message: 'username is required' })
  username!: string;

  @Matches(NAME_RE, { message: 'name must not be blank' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  @IsString({ message: 'name must be a string' })
  @IsDefined({ message: 'name is required' })
  name!: string;

  @Matches(EMAIL_RE, { message: 'email must be an e-mail address' })
  @MaxLength(255, { message: 'email must be at most 255 characters' })
  @IsString({ message: 'email must be a string' })
  @IsDefined({ message: 'email is required' })
  email!: string;

  @IsOptional()
  @IsBoolean({ message: 'admin must be a boolean' })
  admin?: boolean;

  @IsOptional()
  @IsBoolean({ message: 'alert must be a boolean' })
  alert?: boolean;

  @IsNewPassword()
  @IsDefined({ message: 'password is required' })
  password!: string;
}

/**
 * `PUT /api/users/{id}`: the `UserWithPwd` fields, each optional (an omitted field keeps its value). A `password`
 * changes it; for one's own account `current_password` must come with it.
 */
export class UpdateUserDto {
  @IsOptional()
  @IsInt({ message: 'id must be an integer' })
  id?: number;

  @IsOptional()
  @Matches(LOGIN_RE, { message: USERNAME_MESSAGE })
  @IsString({ message: 'username must be a string' })
  username?: string;

  @IsOptional()
  @Matches(NAME_RE, { message: 'name must not be blank' })
  @MaxLength(255, { message: 'name must be at most 255 characters' })
  @IsString({ message: 'name must be a string' })
  name?: string;

  @IsOptional()
  @Matches(EMAIL_RE, { message: 'email must be an e-mail address' })
  @MaxLength(255, { message: 'email must be at most 255 characters' })
  @IsString({ message: 'email must be a string' })
  email?: string;

  @IsOptional()
  @IsBoolean({ message: 'admin must be a boolean' })
  admin?: boolean;

  @IsOptional()
  @IsBoolean({ message: 'alert must be a boolean' })
  alert?: boolean;

  /** Empty means "unchanged", as upstream (the UI sends `""` when the field is left blank). */
  @IsOptional()
  @IsString({ message: 'password must be a string' })
  password?: string;

  @IsOptional()
  @IsString({ message: 'current_password must be a string' })
  @MaxLength(1024, { message: 'current_password must be at most 1024 characters' })
  current_password?: string;
}

/** `POST /api/users/{id}/password`. */
export class ChangePasswordDto {
  @IsNewPassword()
  @IsDefined({ message: 'password is required' })
  password!: string;

  @IsOptional()
  @IsString({ message: 'current_password must be a string' })
  @MaxLength(1024, { message: 'current_password must be at most 1024 characters' })
  current_password?: string;
}

/** `DELETE /api/users/{id}/2fas/totp/{totp_id}`: one's own TOTP needs a current passcode. */
export class DisableTotpDto {
  @IsOptional()
  @IsString({ message: 'passcode must be a string' })
  @MaxLength(16, { message: 'passcode must be the 6-digit code from the authenticator app' })
  passcode?: string;
}
