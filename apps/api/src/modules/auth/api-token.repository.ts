import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiTokenEntity } from '@semaphore/persistence';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Upstream's token format: lower-cased URL-safe base64 of 32 random bytes (44 characters). */
export function newApiToken(): string {
  return randomBytes(32).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').toLowerCase();
}

/** API tokens. Only SHA-256 hashes are stored; the token itself is shown once, at creation. */
@Injectable()
export class ApiTokenRepository {
  constructor(@InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>) {}

  async create(userId: number): Promise<{ token: string; entity: ApiTokenEntity }> {
    const token = newApiToken();
    const entity = await this.tokens.save(
      this.tokens.create({ id: hashToken(token), userId, expired: false, prefix: token.slice(0, 8) }),
    );
    return { token, entity };
  }

  /** The unexpired token row for a presented token, with its user. */
  findValid(token: string): Promise<ApiTokenEntity | null> {
    // One query (findOne with relations adds a DISTINCT pre-query): this runs on every bearer-token request.
    return this.tokens
      .createQueryBuilder('token')
      .innerJoinAndSelect('token.user', 'user')
      .where('token.id = :id AND token.expired = false', { id: hashToken(token) })
      .getOne();
  }

  listForUser(userId: number): Promise<ApiTokenEntity[]> {
    return this.tokens.find({ where: { userId }, order: { created: 'ASC' } });
  }

  /** Accepts the token itself (as returned at creation) or its listed id (the hash). */
  async expire(userId: number, tokenOrId: string): Promise<void> {
    const id = /^[0-9a-f]{64}$/.test(tokenOrId) ? tokenOrId : hashToken(tokenOrId);
    await this.tokens.update({ id, userId }, { expired: true });
  }
}
