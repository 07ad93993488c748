import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
} from '@semaphore/models';
import type {
  IntegrationEntity,
  IntegrationExtractValueEntity,
  IntegrationMatcherEntity,
} from '@semaphore/persistence';

/** One incoming webhook call, as every integration of an alias evaluates it (each sees the whole body). */
export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function header(req: WebhookRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Constant time, whatever the lengths: both sides are hashed to 32 bytes first. */
export function secretsMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === '') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const hmacHex = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

/** Null when the call is authentic for this integration, else why not. `secret`: the auth key's password. */
export function authProblem(
  integration: Pick<IntegrationEntity, 'authMethod' | 'authHeader'>,
  secret: string,
  req: WebhookRequest,
): string | null {
  if (integration.authMethod === IntegrationAuthMethod.None) return null;
  // An empty secret (no key, or a key restored from a backup without its secret) must not make `HMAC("", body)` valid.
  if (secret === '') return 'the auth key has no secret';
  switch (integration.authMethod) {
    case IntegrationAuthMethod.GitHub:
      return secretsMatch(header(req, 'x-hub-signature-256'), `sha256=${hmacHex(secret, req.body)}`)
        ? null
        : 'X-Hub-Signature-256 does not match';
    case IntegrationAuthMethod.Hmac:
      return secretsMatch(header(req, integration.authHeader), hmacHex(secret, req.body))
        ? null
        : `${integration.authHeader} is not the HMAC-SHA256 of the body`;
    case IntegrationAuthMethod.Token:
      return secretsMatch(header(req, integration.authHeader), secret) ? null : `${integration.authHeader} is wrong`;
    default:
      return `unknown auth method ${String(integration.authMethod)}`;
  }
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A dot path (`repository.name`, `commits.0.id`) into parsed JSON; undefined when absent. */
export function jsonPath(json: unknown, path: string): unknown {
  let node = json;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** As upstream's `%v`: strings as they are, integral numbers without a fraction, missing as `<nil>`; objects as JSON. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

type Source = Pick<IntegrationMatcherEntity, 'matchType' | 'bodyDataType' | 'key'>;

function sourceText(source: Source, req: WebhookRequest, json: unknown): string {
  if (source.matchType === IntegrationMatchType.Header) return header(req, source.key) ?? '';
  if (source.bodyDataType === IntegrationBodyDataType.String) return req.body.toString('utf8');
  return valueText(jsonPath(json, source.key));
}

/**
 * Null when every matcher matches (an integration without matchers matches every authentic call, unlike upstream,
 * where it never fires), else the first one that does not.
 */
export function matchProblem(matchers: IntegrationMatcherEntity[], req: WebhookRequest, json: unknown): string | null {
  for (const m of matchers) {
    const actual = sourceText(m, req, json);
    const ok =
      m.method === IntegrationMatchMethod.Equals
        ? actual === m.value
        : m.method === IntegrationMatchMethod.Unequals
          ? actual !== m.value
          : actual.includes(m.value);
    if (!ok)
      return `matcher "${m.name}" (${m.matchType} ${m.key} ${m.method} ${JSON.stringify(m.value)}) did not match`;
  }
  return null;
}

/** The extracted values, as task environment variables. */
export function extractValues(
  values: IntegrationExtractValueEntity[],
  req: WebhookRequest,
  json: unknown,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values)
    out[v.variable] = sourceText({ matchType: v.valueSource, bodyDataType: v.bodyDataType, key: v.key }, req, json);
  return out;
}
