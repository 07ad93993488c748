import {
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
  type WireIntegration,
  type WireIntegrationAlias,
  type WireIntegrationExtractValue,
  type WireIntegrationMatcher,
} from '@semaphore/models';
import type {
  IntegrationAliasEntity,
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
} from '@semaphore/persistence';
import {
  compact,
  readBoolean,
  readEnum,
  readInt,
  readNullableInt,
  readNullableObject,
  readString,
  wireBody,
} from './input.wire';

export function toWireIntegration(integration: IntegrationEntity): WireIntegration {
  return {
    id: integration.id,
    name: integration.name,
    project_id: integration.projectId,
    template_id: integration.templateId,
    auth_method: integration.authMethod,
    auth_secret_id: integration.authSecretId,
    auth_header: integration.authHeader,
    searchable: integration.searchable,
    task_params: integration.taskParams,
  };
}

export function toWireIntegrationMatcher(matcher: IntegrationMatcherEntity): WireIntegrationMatcher {
  return {
    id: matcher.id,
    integration_id: matcher.integrationId,
    name: matcher.name,
    match_type: matcher.matchType,
    method: matcher.method,
    body_data_type: matcher.bodyDataType,
    key: matcher.key,
    value: matcher.value,
  };
}

export function toWireIntegrationExtractValue(value: IntegrationExtractValueEntity): WireIntegrationExtractValue {
  return {
    id: value.id,
    integration_id: value.integrationId,
    name: value.name,
    value_source: value.valueSource,
    body_data_type: value.bodyDataType,
    key: value.key,
    variable: value.variable,
  };
}

/**
 * The public form of an alias: `{id, url}` with url = `<webHost>/api/integrations/<alias>`. `webHost` is the configured
 * `web_host` (it may carry a path, e.g. `https://x/semaphore`); trailing slashes are dropped before joining.
 */
export function toWireIntegrationAlias(alias: IntegrationAliasEntity, webHost: string): WireIntegrationAlias {
  return { id: alias.id, url: `${webHost.replace(/\/+$/, '')}/api/integrations/${encodeURIComponent(alias.alias)}` };
}

export type IntegrationWireFields = Partial<
  Pick<
    IntegrationEntity,
    'name' | 'templateId' | 'authMethod' | 'authSecretId' | 'authHeader' | 'searchable' | 'taskParams'
  >
>;

/** `id` and `project_id` come from the URL (SECURITY.md §2); the caller checks template/secret ids belong to it. */
export function fromWireIntegration(body: unknown): IntegrationWireFields {
  const b = wireBody(body);
  return compact({
    name: readString(b, 'name'),
    templateId: readInt(b, 'template_id'),
    authMethod: readEnum(b, 'auth_method', IntegrationAuthMethod),
    authSecretId: readNullableInt(b, 'auth_secret_id'),
    authHeader: readString(b, 'auth_header'),
    searchable: readBoolean(b, 'searchable'),
    taskParams: readNullableObject(b, 'task_params'),
  });
}

export type IntegrationMatcherWireFields = Partial<
  Pick<IntegrationMatcherEntity, 'name' | 'matchType' | 'method' | 'bodyDataType' | 'key' | 'value'>
>;

/** `id` and `integration_id` come from the URL (upstream requires the body's to equal it). */
export function fromWireIntegrationMatcher(body: unknown): IntegrationMatcherWireFields {
  const b = wireBody(body);
  return compact({
    name: readString(b, 'name'),
    matchType: readEnum(b, 'match_type', IntegrationMatchType),
    method: readEnum(b, 'method', IntegrationMatchMethod),
    bodyDataType: readEnum(b, 'body_data_type', IntegrationBodyDataType),
    key: readString(b, 'key'),
    value: readString(b, 'value'),
  });
}

export type IntegrationExtractValueWireFields = Partial<
  Pick<IntegrationExtractValueEntity, 'name' | 'valueSource' | 'bodyDataType' | 'key' | 'variable'>
>;

/** `id` and `integration_id` come from the URL. */
export function fromWireIntegrationExtractValue(body: unknown): IntegrationExtractValueWireFields {
  const b = wireBody(body);
  return compact({
    name: readString(b, 'name'),
    valueSource: readEnum(b, 'value_source', IntegrationMatchType),
    bodyDataType: readEnum(b, 'body_data_type', IntegrationBodyDataType),
    key: readString(b, 'key'),
    variable: readString(b, 'variable'),
  });
}
