export {
  ACCESS_KEY_ENCRYPTION_VARIABLE,
  SecretCipher,
  SecretDecryptionError,
  SecretDecryptionErrorCode,
  SecretKeyConfigError,
} from './secret-cipher';
export type { AccessKeySecret, LoginPasswordSecret, SshKeySecret } from './secret-cipher';
export { CryptoModule } from './crypto.module';
