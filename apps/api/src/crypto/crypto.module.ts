import { Global, Module } from '@nestjs/common';
import { ApiConfig } from '../config';
import { SecretCipher } from './secret-cipher';

/** The SecretCipher for every module that stores secrets (access keys, environment secrets, TOTP). */
@Global()
@Module({
  providers: [
    {
      provide: SecretCipher,
      inject: [ApiConfig],
      useFactory: (c: ApiConfig) => new SecretCipher(c.secrets.accessKeyEncryption),
    },
  ],
  exports: [SecretCipher],
})
export class CryptoModule {}
