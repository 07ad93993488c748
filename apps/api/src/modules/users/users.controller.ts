import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { WireUser, WireUserSummary } from '@semaphore/models';
import type { UserEntity } from '@semaphore/persistence';
import { AdminOnly, CurrentUser } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { contextOf } from '../../common/request-context';
import { ChangePasswordDto, CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { UsersService } from './users.service';

/** `/api/users`: the list (reduced for non-admins), creation (admins) and one user (admins, or the user themself). */
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Sorted by `name` by default; `?sort=name|username|email|created&order=asc|desc`. */
  @Get()
  list(
    @CurrentUser() caller: UserEntity,
    @Query('sort') sort?: string,
    @Query('order') order?: string,
  ): Promise<WireUser[] | WireUserSummary[]> {
    return this.users.list(caller, { sort, order });
  }

  @AdminOnly()
  @Post()
  @HttpCode(201)
  create(@Body() body: CreateUserDto): Promise<WireUser> {
    return this.users.create(body);
  }

  @Get(':user_id')
  get(@CurrentUser() caller: UserEntity, @Param('user_id', IdPipe) userId: number): Promise<WireUser> {
    return this.users.get(caller, userId);
  }

  @Put(':user_id')
  @HttpCode(204)
  async update(
    @CurrentUser() caller: UserEntity,
    @Param('user_id', IdPipe) userId: number,
    @Body() body: UpdateUserDto,
    @Req() req: Request,
  ): Promise<void> {
    await this.users.update(caller, contextOf(req).sessionId, userId, body);
  }

  @Delete(':user_id')
  @HttpCode(204)
  async remove(@CurrentUser() caller: UserEntity, @Param('user_id', IdPipe) userId: number): Promise<void> {
    await this.users.remove(caller, userId);
  }

  /** `{password, current_password}`: the current password is needed for one's own account, not for an admin's reset. */
  @Post(':user_id/password')
  @HttpCode(204)
  async changePassword(
    @CurrentUser() caller: UserEntity,
    @Param('user_id', IdPipe) userId: number,
    @Body() body: ChangePasswordDto,
    @Req() req: Request,
  ): Promise<void> {
    await this.users.changePassword(caller, contextOf(req).sessionId, userId, body);
  }
}
