import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { IntegrationExtractValueEntity, IntegrationMatcherEntity } from '@semaphore/persistence';
import type { SortOrder } from './integrations.repository';

export type MatcherFields = Pick<
  IntegrationMatcherEntity,
  'name' | 'matchType' | 'method' | 'bodyDataType' | 'key' | 'value'
>;
export type ExtractValueFields = Pick<
  IntegrationExtractValueEntity,
  'name' | 'valueSource' | 'bodyDataType' | 'key' | 'variable'
>;

/** Queries on the matchers and extract values of an integration; every one is scoped by the integration id. */
@Injectable()
export class IntegrationPartsRepository {
  constructor(
    @InjectRepository(IntegrationMatcherEntity) private readonly matchers: Repository<IntegrationMatcherEntity>,
    @InjectRepository(IntegrationExtractValueEntity)
    private readonly values: Repository<IntegrationExtractValueEntity>,
  ) {}

  listMatchers(integrationId: number, order: SortOrder): Promise<IntegrationMatcherEntity[]> {
    return this.matchers.find({ where: { integrationId }, order: { name: order, id: 'ASC' } });
  }

  findMatcher(integrationId: number, id: number): Promise<IntegrationMatcherEntity | null> {
    return this.matchers.findOneBy({ id, integrationId });
  }

  createMatcher(integrationId: number, fields: MatcherFields): Promise<IntegrationMatcherEntity> {
    return this.matchers.save(this.matchers.create({ ...fields, integrationId }));
  }

  async updateMatcher(integrationId: number, id: number, fields: MatcherFields): Promise<void> {
    await this.matchers.update({ id, integrationId }, fields);
  }

  async deleteMatcher(integrationId: number, id: number): Promise<void> {
    await this.matchers.delete({ id, integrationId });
  }

  listValues(integrationId: number, order: SortOrder): Promise<IntegrationExtractValueEntity[]> {
    return this.values.find({ where: { integrationId }, order: { name: order, id: 'ASC' } });
  }

  findValue(integrationId: number, id: number): Promise<IntegrationExtractValueEntity | null> {
    return this.values.findOneBy({ id, integrationId });
  }

  createValue(integrationId: number, fields: ExtractValueFields): Promise<IntegrationExtractValueEntity> {
    return this.values.save(this.values.create({ ...fields, integrationId }));
  }

  async updateValue(integrationId: number, id: number, fields: ExtractValueFields): Promise<void> {
    await this.values.update({ id, integrationId }, fields);
  }

  async deleteValue(integrationId: number, id: number): Promise<void> {
    await this.values.delete({ id, integrationId });
  }
}
