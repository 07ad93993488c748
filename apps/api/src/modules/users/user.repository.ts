import type { Repository } from 'typeorm';
import type { UserEntity } from '@semaphore/persistence';

export interface NewUser {
  username: string;
  name: string;
  email: string;
  passwordHash: string;
  admin: boolean;
  external?: boolean;
  alert?: boolean;
}

export type UserChanges = Partial<Pick<UserEntity, 'username' | 'name' | 'email' | 'admin' | 'alert' | 'password'>>;

/** `GET /api/users` sort columns; anything else falls back to `name`. */
export const USER_SORT_COLUMNS = ['name', 'username', 'email', 'created'] as const;
export type UserSortColumn = (typeof USER_SORT_COLUMNS)[number];

/**
 * The only place with user queries. Logins (username or e-mail) match case-insensitively. A plain class (the CLI
 * builds it on its own DataSource); the api provides it through a factory in UsersModule.
 */
export class UserRepository {
  constructor(private readonly users: Repository<UserEntity>) {}

  async create(input: NewUser): Promise<UserEntity> {
    const entity = this.users.create({
      username: input.username,
      name: input.name,
      email: input.email,
      password: input.passwordHash,
      admin: input.admin,
      external: input.external ?? false,
      alert: input.alert ?? false,
      totpSecret: null,
      totpRecoveryHashes: [],
    });
    return this.users.save(entity);
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByLogin(login: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:login) OR lower(u.email) = lower(:login)', { login })
      .getOne();
  }

  /** True when the username or the e-mail is already taken (case-insensitive), by a user other than `exceptId`. */
  async exists(username: string, email: string, exceptId?: number): Promise<boolean> {
    const qb = this.users
      .createQueryBuilder('u')
      .where('(lower(u.username) = lower(:username) OR lower(u.email) = lower(:email))', { username, email });
    if (exceptId !== undefined) qb.andWhere('u.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { id: 'ASC' } });
  }

  /** Sorted on a whitelisted column (the column name never comes from the request), ties broken by id. */
  listSorted(column: UserSortColumn, descending: boolean): Promise<UserEntity[]> {
    const direction = descending ? 'DESC' : 'ASC';
    return this.users.find({ order: { [column]: direction, id: direction } });
  }

  async update(id: number, changes: UserChanges): Promise<void> {
    if (Object.keys(changes).length) await this.users.update({ id }, changes);
  }

  countAdmins(): Promise<number> {
    return this.users.countBy({ admin: true });
  }

  /** Sessions, API tokens and memberships go with the user (ON DELETE CASCADE); tasks and events keep a null user. */
  async delete(id: number): Promise<void> {
    await this.users.delete({ id });
  }
}
