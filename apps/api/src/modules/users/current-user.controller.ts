import { Controller, Get } from '@nestjs/common';
import type { UserEntity } from '@semaphore/persistence';
import { CurrentUser } from '../../common/decorators';
import type { WireCurrentUserOut } from '../../wire';
import { UsersService } from './users.service';

/** `GET /api/user`: who am I (the tokens under `/api/user/tokens` belong to the auth module). */
@Controller('user')
export class CurrentUserController {
  constructor(private readonly users: UsersService) {}

  @Get()
  current(@CurrentUser() caller: UserEntity): WireCurrentUserOut {
    return this.users.current(caller);
  }
}
