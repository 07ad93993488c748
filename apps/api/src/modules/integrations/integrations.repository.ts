import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type QueryDeepPartialEntity, Repository } from 'typeorm';
import {
  AccessKeyEntity,
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
  TemplateEntity,
} from '@semaphore/persistence';

export type SortOrder = 'ASC' | 'DESC';

/** `?order=desc` (any case) sorts descending; anything else ascending. The only sortable column is `name`. */
export function sortOrder(order: unknown): SortOrder {
  return typeof order === 'string' && order.toLowerCase() === 'desc' ? 'DESC' : 'ASC';
}

export type IntegrationFields = Pick<
  IntegrationEntity,
  'name' | 'templateId' | 'authMethod' | 'authSecretId' | 'authHeader' | 'searchable' | 'taskParams'
>;

/** `{id, name}` of an object that refers to another (the refs endpoints). */
export interface Referrer {
  id: number;
  name: string;
}

/** Queries on integrations, and the project-scope checks of what they reference. */
@Injectable()
export class IntegrationsRepository {
  constructor(
    @InjectRepository(IntegrationEntity) private readonly integrations: Repository<IntegrationEntity>,
    @InjectRepository(IntegrationMatcherEntity) private readonly matchers: Repository<IntegrationMatcherEntity>,
    @InjectRepository(IntegrationExtractValueEntity)
    private readonly values: Repository<IntegrationExtractValueEntity>,
    @InjectRepository(TemplateEntity) private readonly templates: Repository<TemplateEntity>,
    @InjectRepository(AccessKeyEntity) private readonly keys: Repository<AccessKeyEntity>,
  ) {}

  list(projectId: number, order: SortOrder): Promise<IntegrationEntity[]> {
    return this.integrations.find({ where: { projectId }, order: { name: order, id: 'ASC' } });
  }

  /** The integration, only if it belongs to the project. */
  find(projectId: number, id: number): Promise<IntegrationEntity | null> {
    return this.integrations.findOneBy({ id, projectId });
  }

  create(projectId: number, fields: IntegrationFields): Promise<IntegrationEntity> {
    return this.integrations.save(this.integrations.create({ ...fields, projectId }));
  }

  async update(projectId: number, id: number, fields: IntegrationFields): Promise<void> {
    // QueryDeepPartialEntity cannot express the jsonb `taskParams` record; TypeORM stores it as JSON.
    await this.integrations.update({ id, projectId }, fields as QueryDeepPartialEntity<IntegrationEntity>);
  }

  async delete(projectId: number, id: number): Promise<void> {
    await this.integrations.delete({ id, projectId });
  }

  async referrers(integrationId: number): Promise<{ matchers: Referrer[]; values: Referrer[] }> {
    const [matchers, values] = await Promise.all([
      this.matchers.find({ select: { id: true, name: true }, where: { integrationId }, order: { id: 'ASC' } }),
      this.values.find({ select: { id: true, name: true }, where: { integrationId }, order: { id: 'ASC' } }),
    ]);
    return {
      matchers: matchers.map((m) => ({ id: m.id, name: m.name })),
      values: values.map((v) => ({ id: v.id, name: v.name })),
    };
  }

  templateExists(projectId: number, templateId: number): Promise<boolean> {
    return this.templates.existsBy({ id: templateId, projectId });
  }

  /** An access key of the project (not a global key), without its secret. */
  findKey(projectId: number, keyId: number): Promise<Pick<AccessKeyEntity, 'id' | 'type'> | null> {
    return this.keys.findOne({ select: { id: true, type: true }, where: { id: keyId, projectId } });
  }
}
