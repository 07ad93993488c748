import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { IntegrationAliasEntity, IntegrationEntity } from '@semaphore/persistence';

/** The queries of the public webhook receiver. */
@Injectable()
export class IntegrationReceiverRepository {
  constructor(
    @InjectRepository(IntegrationAliasEntity) private readonly aliases: Repository<IntegrationAliasEntity>,
    @InjectRepository(IntegrationEntity) private readonly integrations: Repository<IntegrationEntity>,
  ) {}

  /**
   * The integrations an alias reaches: its own integration, (a project-level alias) every searchable integration of
   * the project, or (the global alias) every searchable integration of every project; with matchers, extract values,
   * auth key and template. Empty for an unknown alias.
   */
  async integrationsOf(alias: string, globalAlias: string | null): Promise<IntegrationEntity[]> {
    let where: { id: number } | { projectId?: number; searchable: true };
    if (globalAlias !== null && alias === globalAlias) {
      where = { searchable: true };
    } else {
      const row = await this.aliases.findOneBy({ alias });
      if (!row) return [];
      where = row.integrationId !== null ? { id: row.integrationId } : { projectId: row.projectId, searchable: true };
    }
    return this.integrations.find({
      where,
      relations: { matchers: true, extractValues: true, authSecret: true, template: true },
      order: { id: 'ASC' },
    });
  }
}
