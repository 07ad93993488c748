import { Injectable } from '@nestjs/common';
import {
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
  type WireIntegrationExtractValue,
  type WireIntegrationMatcher,
} from '@semaphore/models';
import type { IntegrationEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import {
  fromWireIntegrationExtractValue,
  fromWireIntegrationMatcher,
  toWireIntegrationExtractValue,
  toWireIntegrationMatcher,
} from '../../wire';
import type { CreateIntegrationMatcherDto, UpdateIntegrationMatcherDto } from './dto/integration-matcher.dto';
import type { CreateIntegrationValueDto, UpdateIntegrationValueDto } from './dto/integration-value.dto';
import {
  type ExtractValueFields,
  IntegrationPartsRepository,
  type MatcherFields,
} from './integration-parts.repository';
import type { Referrer, SortOrder } from './integrations.repository';

interface BodyIds {
  id?: number;
  integration_id?: number;
}

/**
 * Matchers (conditions a webhook request must meet) and extract values (request data passed to the task) of one
 * integration. The caller resolves the integration within the project first, so every id here is scoped by it.
 */
@Injectable()
export class IntegrationPartsService {
  constructor(private readonly parts: IntegrationPartsRepository) {}

  async listMatchers(integration: IntegrationEntity, order: SortOrder): Promise<WireIntegrationMatcher[]> {
    return (await this.parts.listMatchers(integration.id, order)).map((m) => toWireIntegrationMatcher(m));
  }

  async getMatcher(integration: IntegrationEntity, id: number): Promise<WireIntegrationMatcher> {
    return toWireIntegrationMatcher(await this.requireMatcher(integration, id));
  }

  async createMatcher(
    integration: IntegrationEntity,
    body: CreateIntegrationMatcherDto,
  ): Promise<WireIntegrationMatcher> {
    checkBodyIds(integration, body);
    const fields: MatcherFields = {
      method: IntegrationMatchMethod.Equals,
      bodyDataType: IntegrationBodyDataType.Json,
      key: '',
      ...fromWireIntegrationMatcher(body),
      name: body.name,
      matchType: body.match_type,
      value: body.value,
    };
    checkKey(fields.matchType, fields.bodyDataType, fields.key);
    return toWireIntegrationMatcher(await this.parts.createMatcher(integration.id, fields));
  }

  async updateMatcher(integration: IntegrationEntity, id: number, body: UpdateIntegrationMatcherDto): Promise<void> {
    checkBodyIds(integration, body, id);
    const existing = await this.requireMatcher(integration, id);
    const fields: MatcherFields = {
      name: existing.name,
      matchType: existing.matchType,
      method: existing.method,
      bodyDataType: existing.bodyDataType,
      key: existing.key,
      value: existing.value,
      ...fromWireIntegrationMatcher(body),
    };
    checkKey(fields.matchType, fields.bodyDataType, fields.key);
    await this.parts.updateMatcher(integration.id, id, fields);
  }

  async deleteMatcher(integration: IntegrationEntity, id: number): Promise<void> {
    await this.requireMatcher(integration, id);
    await this.parts.deleteMatcher(integration.id, id);
  }

  async matcherRefs(integration: IntegrationEntity, id: number): Promise<{ integrations: Referrer[] }> {
    await this.requireMatcher(integration, id);
    return { integrations: [{ id: integration.id, name: integration.name }] };
  }

  async listValues(integration: IntegrationEntity, order: SortOrder): Promise<WireIntegrationExtractValue[]> {
    return (await this.parts.listValues(integration.id, order)).map((v) => toWireIntegrationExtractValue(v));
  }

  async getValue(integration: IntegrationEntity, id: number): Promise<WireIntegrationExtractValue> {
    return toWireIntegrationExtractValue(await this.requireValue(integration, id));
  }

  async createValue(
    integration: IntegrationEntity,
    body: CreateIntegrationValueDto,
  ): Promise<WireIntegrationExtractValue> {
    checkBodyIds(integration, body);
    const fields: ExtractValueFields = {
      bodyDataType: IntegrationBodyDataType.Json,
      key: '',
      ...fromWireIntegrationExtractValue(body),
      name: body.name,
      valueSource: body.value_source,
      variable: body.variable,
    };
    checkKey(fields.valueSource, fields.bodyDataType, fields.key);
    return toWireIntegrationExtractValue(await this.parts.createValue(integration.id, fields));
  }

  async updateValue(integration: IntegrationEntity, id: number, body: UpdateIntegrationValueDto): Promise<void> {
    checkBodyIds(integration, body, id);
    const existing = await this.requireValue(integration, id);
    const fields: ExtractValueFields = {
      name: existing.name,
      valueSource: existing.valueSource,
      bodyDataType: existing.bodyDataType,
      key: existing.key,
      variable: existing.variable,
      ...fromWireIntegrationExtractValue(body),
    };
    checkKey(fields.valueSource, fields.bodyDataType, fields.key);
    await this.parts.updateValue(integration.id, id, fields);
  }

  async deleteValue(integration: IntegrationEntity, id: number): Promise<void> {
    await this.requireValue(integration, id);
    await this.parts.deleteValue(integration.id, id);
  }

  async valueRefs(integration: IntegrationEntity, id: number): Promise<{ integrations: Referrer[] }> {
    await this.requireValue(integration, id);
    return { integrations: [{ id: integration.id, name: integration.name }] };
  }

  private async requireMatcher(integration: IntegrationEntity, id: number) {
    const matcher = await this.parts.findMatcher(integration.id, id);
    if (!matcher) throw notFound('Integration matcher');
    return matcher;
  }

  private async requireValue(integration: IntegrationEntity, id: number) {
    const value = await this.parts.findValue(integration.id, id);
    if (!value) throw notFound('Integration extract value');
    return value;
  }
}

/** `integration_id` (and on update `id`) may be sent, but must be those of the URL (upstream requires it on POST). */
function checkBodyIds(integration: IntegrationEntity, body: BodyIds, id?: number): void {
  if (body.integration_id !== undefined && body.integration_id !== integration.id) {
    throw badRequest('integration_id must match the integration in the URL');
  }
  if (id !== undefined && body.id !== undefined && body.id !== id) throw badRequest('id must match the URL');
}

/** A header name or JSON path is needed, except when the whole body is taken as a string. */
function checkKey(source: IntegrationMatchType, dataType: IntegrationBodyDataType, key: string): void {
  const wholeBody = source === IntegrationMatchType.Body && dataType === IntegrationBodyDataType.String;
  if (!wholeBody && key.trim() === '') {
    throw badRequest(
      source === IntegrationMatchType.Header ? 'key must name the header' : 'key must be a JSON path of the body',
    );
  }
}
