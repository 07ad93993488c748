import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { WireIntegrationAlias } from '@semaphore/models';
import type { ProjectEntity } from '@semaphore/persistence';
import { notFound } from '../../common/api-errors';
import { ApiConfig } from '../../config';
import { toWireIntegrationAlias } from '../../wire';
import { IntegrationAliasesRepository } from './integration-aliases.repository';

const ALIAS_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALIAS_LENGTH = 16;
/** 36^16 ≈ 8e24 aliases: a collision is practically impossible, retrying a few times is plenty. */
const MAX_ATTEMPTS = 5;

/** 16 characters from [a-z0-9], uniformly drawn from crypto randomness (rejection sampling, no modulo bias). */
export function newIntegrationAlias(): string {
  const limit = 256 - (256 % ALIAS_ALPHABET.length);
  let alias = '';
  while (alias.length < ALIAS_LENGTH) {
    for (const byte of randomBytes(ALIAS_LENGTH * 2)) {
      if (byte < limit && alias.length < ALIAS_LENGTH) alias += ALIAS_ALPHABET[byte % ALIAS_ALPHABET.length];
    }
  }
  return alias;
}

/**
 * Public webhook aliases: `integrationId` null = project-level (all searchable integrations of the project), otherwise
 * the aliases of one integration (resolved within the project by the caller).
 */
@Injectable()
export class IntegrationAliasesService {
  constructor(
    private readonly aliases: IntegrationAliasesRepository,
    private readonly config: ApiConfig,
  ) {}

  async list(project: ProjectEntity, integrationId: number | null): Promise<WireIntegrationAlias[]> {
    const rows = await this.aliases.list(project.id, integrationId);
    return rows.map((a) => toWireIntegrationAlias(a, this.config.http.webRoot));
  }

  async create(project: ProjectEntity, integrationId: number | null): Promise<WireIntegrationAlias> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const created = await this.aliases.tryCreate(project.id, integrationId, newIntegrationAlias());
      if (created) return toWireIntegrationAlias(created, this.config.http.webRoot);
    }
    throw new Error('could not draw a unique integration alias');
  }

  async delete(project: ProjectEntity, integrationId: number | null, id: number): Promise<void> {
    const alias = await this.aliases.find(project.id, integrationId, id);
    if (!alias) throw notFound('Integration alias');
    await this.aliases.delete(alias.id);
  }
}
