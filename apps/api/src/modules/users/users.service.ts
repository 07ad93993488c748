import { Injectable } from '@nestjs/common';
import type { WireCurrentUser, WireUser, WireUserSummary } from '@semaphore/models';
import type { UserEntity } from '@semaphore/persistence';
import { badRequest, conflict, forbidden, notFound } from '../../common/api-errors';
import { ApiConfig } from '../../config';
import { fromWireUser, toWireCurrentUser, toWireUser, toWireUserSummary } from '../../wire';
import { hashPassword } from '../auth/password-hasher';
import { TotpService } from '../auth/totp.service';
import type { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { DUPLICATE_USER, assertSelfOrAdmin, rethrowDuplicate } from './user-access';
import { UserPasswordService } from './user-password.service';
import { USER_SORT_COLUMNS, UserRepository, type UserSortColumn } from './user.repository';

export interface ListOrder {
  sort?: string;
  order?: string;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly passwords: UserPasswordService,
    private readonly totp: TotpService,
    private readonly config: ApiConfig,
  ) {}

  /** `GET /api/user`: the caller, `can_create_project` and (an addition) `totp_enabled`. */
  current(caller: UserEntity): WireCurrentUser {
    const canCreateProject = caller.admin || this.config.auth.nonAdminCanCreateProject;
    return toWireCurrentUser(caller, { canCreateProject, totpEnabled: this.totp.isEnabled(caller) });
  }

  /** Admins get full users; others only `{id, username, name}` (enough to add project members). */
  async list(caller: UserEntity, query: ListOrder): Promise<WireUser[] | WireUserSummary[]> {
    const column: UserSortColumn = USER_SORT_COLUMNS.find((c) => c === query.sort) ?? 'name';
    const rows = await this.users.listSorted(column, query.order?.toLowerCase() === 'desc');
    return caller.admin ? rows.map(toWireUser) : rows.map(toWireUserSummary);
  }

  async create(dto: CreateUserDto): Promise<WireUser> {
    const fields = fromWireUser(dto);
    if (await this.users.exists(dto.username, dto.email)) throw conflict(DUPLICATE_USER);
    const created = await this.users
      .create({
        username: dto.username,
        name: dto.name,
        email: dto.email,
        passwordHash: await hashPassword(dto.password),
        admin: fields.admin ?? false,
        alert: fields.alert ?? false,
      })
      .catch(rethrowDuplicate);
    return toWireUser(created);
  }

  async get(caller: UserEntity, id: number): Promise<WireUser> {
    return toWireUser(await this.target(caller, id));
  }

  async update(caller: UserEntity, callerSessionId: number | undefined, id: number, dto: UpdateUserDto): Promise<void> {
    const target = await this.target(caller, id);
    if (dto.id !== undefined && dto.id !== id) throw badRequest('id must match the user id in the URL');
    const changes = fromWireUser(dto);
    if (changes.admin !== undefined && changes.admin !== target.admin && caller.id === target.id) {
      throw forbidden('you cannot change your own admin flag');
    }
    if (target.external && changes.username !== undefined && changes.username !== target.username) {
      throw badRequest('username cannot be changed for an external user');
    }
    const username = changes.username ?? target.username;
    const email = changes.email ?? target.email;
    if ((changes.username ?? changes.email) !== undefined && (await this.users.exists(username, email, id))) {
      throw conflict(DUPLICATE_USER);
    }
    // Every check (the current password included) passes before anything is written.
    const change = dto.password
      ? { caller, callerSessionId, target, password: dto.password, currentPassword: dto.current_password }
      : undefined;
    const password = change ? await this.passwords.checkedHash(change) : undefined;
    await this.users.update(id, password ? { ...changes, password } : changes).catch(rethrowDuplicate);
    if (change) await this.passwords.endOtherSessions(change);
  }

  /** A user may delete themself, an admin anyone; the last administrator stays. */
  async remove(caller: UserEntity, id: number): Promise<void> {
    const target = await this.target(caller, id);
    if (target.admin && (await this.users.countAdmins()) <= 1) {
      throw badRequest('the last administrator cannot be deleted');
    }
    await this.users.delete(id);
  }

  async changePassword(
    caller: UserEntity,
    callerSessionId: number | undefined,
    id: number,
    body: { password: string; current_password?: string },
  ): Promise<void> {
    const target = await this.target(caller, id);
    await this.passwords.change({
      caller,
      callerSessionId,
      target,
      password: body.password,
      currentPassword: body.current_password,
    });
  }

  /** The user behind `/api/users/{id}`: 403 for a non-admin's other id, 404 for an unknown id. */
  async target(caller: UserEntity, id: number): Promise<UserEntity> {
    assertSelfOrAdmin(caller, id);
    const user = await this.users.findById(id);
    if (!user) throw notFound('User');
    return user;
  }
}
