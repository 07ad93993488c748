import { Module } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { UserEntity } from '@semaphore/persistence';
import { CurrentUserController } from './current-user.controller';
import { ReauthRateLimiter } from './reauth-rate-limiter';
import { UserPasswordService } from './user-password.service';
import { UserTotpController } from './user-totp.controller';
import { UserTotpService } from './user-totp.service';
import { UserRepository } from './user.repository';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  controllers: [CurrentUserController, UsersController, UserTotpController],
  providers: [
    {
      provide: UserRepository,
      inject: [getRepositoryToken(UserEntity)],
      useFactory: (users: Repository<UserEntity>) => new UserRepository(users),
    },
    ReauthRateLimiter,
    UserPasswordService,
    UsersService,
    UserTotpService,
  ],
  exports: [UserRepository],
})
export class UsersModule {}
