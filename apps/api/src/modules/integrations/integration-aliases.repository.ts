import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, QueryFailedError, Repository } from 'typeorm';
import { IntegrationAliasEntity } from '@semaphore/persistence';

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * Webhook aliases. `integrationId` null selects the project-level aliases (which trigger every searchable integration
 * of the project); a number selects the aliases of that integration.
 */
@Injectable()
export class IntegrationAliasesRepository {
  constructor(@InjectRepository(IntegrationAliasEntity) private readonly aliases: Repository<IntegrationAliasEntity>) {}

  list(projectId: number, integrationId: number | null): Promise<IntegrationAliasEntity[]> {
    return this.aliases.find({
      where: { projectId, integrationId: integrationId ?? IsNull() },
      order: { id: 'ASC' },
    });
  }

  find(projectId: number, integrationId: number | null, id: number): Promise<IntegrationAliasEntity | null> {
    return this.aliases.findOneBy({ id, projectId, integrationId: integrationId ?? IsNull() });
  }

  /** Inserts the alias; null when it is already taken (the caller draws another). */
  async tryCreate(
    projectId: number,
    integrationId: number | null,
    alias: string,
  ): Promise<IntegrationAliasEntity | null> {
    try {
      return await this.aliases.save(this.aliases.create({ projectId, integrationId, alias }));
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        return null;
      }
      throw err;
    }
  }

  async delete(id: number): Promise<void> {
    await this.aliases.delete({ id });
  }
}
