import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenEntity, SessionEntity, UserEntity } from '@semaphore/persistence';
import { ApiConfig } from '../../config';
import { ApiTokenRepository } from './api-token.repository';
import { ApiAuthGuard } from './auth.guard';
import { ApiTokensController } from './api-tokens.controller';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { SessionJwtStrategy } from './jwt.strategy';
import { LoginRateLimiter } from './login-rate-limiter';
import { SessionRepository } from './session.repository';
import { SessionTokenService } from './session-token.service';
import { TotpService } from './totp.service';

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, SessionEntity, ApiTokenEntity]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [ApiConfig],
      useFactory: (config: ApiConfig) => ({
        secret: config.secrets.cookieHash.toString('base64'),
        signOptions: { algorithm: 'HS256', expiresIn: '30d' },
      }),
    }),
  ],
  controllers: [AuthController, ApiTokensController],
  providers: [
    AuthService,
    SessionRepository,
    ApiTokenRepository,
    SessionTokenService,
    SessionJwtStrategy,
    LoginRateLimiter,
    TotpService,
    { provide: APP_GUARD, useClass: ApiAuthGuard },
  ],
  exports: [ApiTokenRepository, SessionRepository, SessionTokenService, TotpService],
})
export class AuthModule {}
