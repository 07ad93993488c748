import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiTokenEntity, hydrateJsonRow, hydrateRow, UserEntity } from '@semaphore/persistence';

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
  async findValid(token: string): Promise<ApiTokenEntity | null> {
    // On every bearer-token request: one hand-written query, the user as one JSON column.
    const rows = (await this.tokens.query(
      `SELECT t.*, to_jsonb(u) AS user_row FROM user__token t JOIN "user" u ON u.id = t.user_id
        WHERE t.id = $1 AND NOT t.expired`,
      [hashToken(token)],
    )) as Array<Record<string, unknown> & { user_row: Record<string, unknown> }>;
    if (!rows.length) return null;
    const found = hydrateRow(this.tokens.manager, ApiTokenEntity, rows[0]);
    found.user = hydrateJsonRow(this.tokens.manager, UserEntity, rows[0].user_row);
    return found;
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
