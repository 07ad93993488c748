import {
  IntegrationAuthMethod,
  IntegrationBodyDataType,
  IntegrationMatchMethod,
  IntegrationMatchType,
} from '@semaphore/models';
import type { IntegrationEntity } from '@semaphore/persistence';
import {
  fromWireIntegration,
  fromWireIntegrationExtractValue,
  fromWireIntegrationMatcher,
  toWireIntegration,
  toWireIntegrationAlias,
  toWireIntegrationExtractValue,
  toWireIntegrationMatcher,
} from './integration.wire';

const integration: IntegrationEntity = {
  id: 1,
  name: 'deploy',
  projectId: 1,
  templateId: 7,
  authMethod: IntegrationAuthMethod.GitHub,
  authSecretId: 4,
  authHeader: '',
  searchable: false,
  taskParams: null,
};

describe('integration wire', () => {
  it('GET P/integrations item matches Appendix A', () => {
    expect(JSON.stringify(toWireIntegration(integration))).toBe(
      '{"id":1,"name":"deploy","project_id":1,"template_id":7,"auth_method":"github","auth_secret_id":4,' +
        '"auth_header":"","searchable":false,"task_params":null}',
    );
  });

  it('maps matchers and extract values in upstream key order', () => {
    const matcher = {
      id: 3,
      integrationId: 1,
      name: 'main only',
      matchType: IntegrationMatchType.Body,
      method: IntegrationMatchMethod.Equals,
      bodyDataType: IntegrationBodyDataType.Json,
      key: 'ref',
      value: 'refs/heads/main',
    };
    expect(JSON.stringify(toWireIntegrationMatcher(matcher))).toBe(
      '{"id":3,"integration_id":1,"name":"main only","match_type":"body","method":"equals","body_data_type":"json",' +
        '"key":"ref","value":"refs/heads/main"}',
    );
    const value = {
      id: 4,
      integrationId: 1,
      name: 'commit',
      valueSource: IntegrationMatchType.Header,
      bodyDataType: IntegrationBodyDataType.String,
      key: 'X-Commit',
      variable: 'COMMIT',
    };
    expect(JSON.stringify(toWireIntegrationExtractValue(value))).toBe(
      '{"id":4,"integration_id":1,"name":"commit","value_source":"header","body_data_type":"string","key":"X-Commit",' +
        '"variable":"COMMIT"}',
    );
  });

  it('builds the public alias URL, with or without a trailing slash or a path in web_host', () => {
    const alias = { id: 5, alias: 'abcdefgh12345678', projectId: 1, integrationId: null };
    const expected = '{"id":5,"url":"https://semaphore.example.com/api/integrations/abcdefgh12345678"}';
    expect(JSON.stringify(toWireIntegrationAlias(alias, 'https://semaphore.example.com'))).toBe(expected);
    expect(JSON.stringify(toWireIntegrationAlias(alias, 'https://semaphore.example.com/'))).toBe(expected);
    expect(toWireIntegrationAlias(alias, 'https://x.example/semaphore/').url).toBe(
      'https://x.example/semaphore/api/integrations/abcdefgh12345678',
    );
  });

  it('reads bodies: known enum values only, never id/project_id/integration_id', () => {
    expect(
      fromWireIntegration({
        id: 1,
        project_id: 2,
        name: 'n',
        template_id: 7,
        auth_method: 'hmac',
        auth_secret_id: null,
        auth_header: 'X-Sig',
        searchable: true,
        task_params: { a: 1 },
      }),
    ).toEqual({
      name: 'n',
      templateId: 7,
      authMethod: IntegrationAuthMethod.Hmac,
      authSecretId: null,
      authHeader: 'X-Sig',
      searchable: true,
      taskParams: { a: 1 },
    });
    expect(fromWireIntegration({ auth_method: 'basic', task_params: [1] })).toEqual({});
    expect(
      fromWireIntegrationMatcher({
        integration_id: 9,
        name: 'm',
        match_type: 'header',
        method: 'contains',
        body_data_type: 'string',
        key: 'k',
        value: 'v',
      }),
    ).toEqual({
      name: 'm',
      matchType: IntegrationMatchType.Header,
      method: IntegrationMatchMethod.Contains,
      bodyDataType: IntegrationBodyDataType.String,
      key: 'k',
      value: 'v',
    });
    expect(
      fromWireIntegrationExtractValue({
        integration_id: 9,
        name: 'e',
        value_source: 'body',
        body_data_type: 'json',
        key: 'a.b',
        variable: 'AB',
      }),
    ).toEqual({
      name: 'e',
      valueSource: IntegrationMatchType.Body,
      bodyDataType: IntegrationBodyDataType.Json,
      key: 'a.b',
      variable: 'AB',
    });
  });
});
