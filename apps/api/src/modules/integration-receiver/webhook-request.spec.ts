import { createHmac } from 'node:crypto';
import {
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
} from '@semaphore/models';
import type { IntegrationExtractValueEntity, IntegrationMatcherEntity } from '@semaphore/persistence';
import { authProblem, extractValues, matchProblem, parseJsonBody, secretsMatch } from './webhook-request';

const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', repository: { name: 'infra', stars: 3 } }));
const sign = (secret: string) => createHmac('sha256', secret).update(body).digest('hex');
const req = (headers: Record<string, string>) => ({ headers, body });

const matcher = (m: Partial<IntegrationMatcherEntity>) =>
  ({
    name: 'm',
    matchType: IntegrationMatchType.Body,
    bodyDataType: IntegrationBodyDataType.Json,
    method: IntegrationMatchMethod.Equals,
    key: 'ref',
    value: 'refs/heads/main',
    ...m,
  }) as IntegrationMatcherEntity;

describe('webhook request', () => {
  it('authenticates github, hmac and token calls in constant time; none needs nothing', () => {
    const github = { authMethod: IntegrationAuthMethod.GitHub, authHeader: '' };
    expect(authProblem(github, 's3cret', req({ 'x-hub-signature-256': `sha256=${sign('s3cret')}` }))).toBeNull();
    expect(authProblem(github, 's3cret', req({ 'x-hub-signature-256': `sha256=${sign('other')}` }))).toMatch(/match/);
    expect(authProblem(github, 's3cret', req({}))).not.toBeNull();
    const hmac = { authMethod: IntegrationAuthMethod.Hmac, authHeader: 'X-Signature' };
    expect(authProblem(hmac, 'k', req({ 'x-signature': sign('k') }))).toBeNull();
    expect(authProblem(hmac, 'k', req({ 'x-signature': `sha256=${sign('k')}` }))).not.toBeNull();
    const token = { authMethod: IntegrationAuthMethod.Token, authHeader: 'X-Token' };
    expect(authProblem(token, 'tok', req({ 'x-token': 'tok' }))).toBeNull();
    expect(authProblem(token, 'tok', req({ 'x-token': 'tok2' }))).not.toBeNull();
    expect(authProblem({ authMethod: IntegrationAuthMethod.None, authHeader: '' }, '', req({}))).toBeNull();
    expect(secretsMatch('x', '')).toBe(false);
  });

  it('never authenticates with an empty secret (a key restored from a backup has none): no HMAC with the key ""', () => {
    const github = { authMethod: IntegrationAuthMethod.GitHub, authHeader: '' };
    expect(authProblem(github, '', req({ 'x-hub-signature-256': `sha256=${sign('')}` }))).toMatch(/no secret/);
    const hmac = { authMethod: IntegrationAuthMethod.Hmac, authHeader: 'X-Signature' };
    expect(authProblem(hmac, '', req({ 'x-signature': sign('') }))).toMatch(/no secret/);
    const token = { authMethod: IntegrationAuthMethod.Token, authHeader: 'X-Token' };
    expect(authProblem(token, '', req({ 'x-token': '' }))).toMatch(/no secret/);
  });

  it('needs every matcher; none at all matches; header, json path and whole-body string matchers', () => {
    const json = parseJsonBody(body);
    const r = req({ 'x-github-event': 'push' });
    expect(matchProblem([], r, json)).toBeNull();
    expect(matchProblem([matcher({})], r, json)).toBeNull();
    expect(matchProblem([matcher({}), matcher({ key: 'repository.name', value: 'web' })], r, json)).toMatch(/did not/);
    expect(matchProblem([matcher({ key: 'repository.stars', value: '3' })], r, json)).toBeNull();
    expect(
      matchProblem([matcher({ key: 'missing', method: IntegrationMatchMethod.Unequals, value: 'x' })], r, json),
    ).toBeNull();
    expect(
      matchProblem(
        [matcher({ matchType: IntegrationMatchType.Header, key: 'X-GitHub-Event', value: 'push' })],
        r,
        json,
      ),
    ).toBeNull();
    expect(
      matchProblem(
        [
          matcher({
            bodyDataType: IntegrationBodyDataType.String,
            method: IntegrationMatchMethod.Contains,
            value: 'infra',
          }),
        ],
        r,
        json,
      ),
    ).toBeNull();
  });

  it('extracts values as strings (missing: <nil>)', () => {
    const values = [
      {
        variable: 'REF',
        valueSource: IntegrationMatchType.Body,
        bodyDataType: IntegrationBodyDataType.Json,
        key: 'ref',
      },
      {
        variable: 'REPO',
        valueSource: IntegrationMatchType.Body,
        bodyDataType: IntegrationBodyDataType.Json,
        key: 'repository',
      },
      {
        variable: 'NONE',
        valueSource: IntegrationMatchType.Body,
        bodyDataType: IntegrationBodyDataType.Json,
        key: 'x.y',
      },
      {
        variable: 'EVT',
        valueSource: IntegrationMatchType.Header,
        bodyDataType: IntegrationBodyDataType.Json,
        key: 'x-evt',
      },
    ] as IntegrationExtractValueEntity[];
    expect(extractValues(values, req({ 'x-evt': 'push' }), parseJsonBody(body))).toEqual({
      REF: 'refs/heads/main',
      REPO: '{"name":"infra","stars":3}',
      NONE: '<nil>',
      EVT: 'push',
    });
  });
});
