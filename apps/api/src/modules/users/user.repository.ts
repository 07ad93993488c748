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

/** The only place with user queries. Logins (username or e-mail) match case-insensitively. */
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

  findByLogin(login: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:login) OR lower(u.email) = lower(:login)', { login })
      .getOne();
  }

  /** True when the username or the e-mail is already taken (case-insensitive). */
  async exists(username: string, email: string): Promise<boolean> {
    const count = await this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:username) OR lower(u.email) = lower(:email)', { username, email })
      .getCount();
    return count > 0;
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { id: 'ASC' } });
  }
}
