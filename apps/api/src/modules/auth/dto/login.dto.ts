import { IsString, Length, MaxLength } from 'class-validator';

export class LoginDto {
  /** Username or e-mail, case-insensitive. */
  @IsString()
  @Length(1, 255)
  auth!: string;

  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class VerifyPasscodeDto {
  @IsString()
  @Length(6, 6, { message: 'passcode must be the 6-digit code from the authenticator app' })
  passcode!: string;
}

export class RecoveryCodeDto {
  @IsString()
  @Length(1, 64)
  recovery_code!: string;
}
