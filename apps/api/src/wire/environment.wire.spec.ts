import { EnvironmentSecretType } from '@semaphore/models';
import type { EnvironmentEntity, EnvironmentSecretEntity } from '@semaphore/persistence';
import { SecretCipher } from '../crypto';
import {
  EnvironmentSecretOperation,
  environmentSecretsFromWire,
  fromWireEnvironment,
  toWireEnvironment,
} from './environment.wire';

const environment: EnvironmentEntity = { id: 1, name: 'Empty', projectId: 1, password: null, json: '{}', env: null };
const cipher = new SecretCipher(Buffer.alloc(32, 1));
const token: EnvironmentSecretEntity = {
  id: 9,
  environmentId: 1,
  type: EnvironmentSecretType.Env,
  name: 'TOKEN',
  secret: cipher.encrypt('ghp_supersecret'),
};

describe('environment wire', () => {
  it('GET P/environment/1 matches Appendix A, secrets blanked even with ciphertext stored', () => {
    const json = JSON.stringify(toWireEnvironment(environment, { form: 'single', secrets: [token] }));
    expect(json).toBe(
      '{"id":1,"name":"Empty","project_id":1,"password":null,"json":"{}","env":null,' +
        '"secrets":[{"id":9,"type":"env","name":"TOKEN","secret":"","operation":""}]}',
    );
    expect(json).not.toContain(token.secret);
  });

  it('list form has secrets:null', () => {
    expect(JSON.stringify(toWireEnvironment(environment, { form: 'list' }))).toBe(
      '{"id":1,"name":"Empty","project_id":1,"password":null,"json":"{}","env":null,"secrets":null}',
    );
    expect(toWireEnvironment(environment, { form: 'single', secrets: [] }).secrets).toEqual([]);
  });

  it('reads the environment fields, never id or project_id', () => {
    const body = { id: 1, project_id: 5, name: 'E', password: null, json: '{"a":1}', env: '{"B":"2"}' };
    expect(fromWireEnvironment(body)).toEqual({ name: 'E', password: null, json: '{"a":1}', env: '{"B":"2"}' });
    expect(fromWireEnvironment({ json: { a: 1 } })).toEqual({});
  });

  it('reads secret changes, dropping items with an unknown operation, or an unknown type except for deletes', () => {
    const body = {
      secrets: [
        { type: 'var', name: 'PW', secret: 'x', operation: 'create' },
        { id: 9, type: 'env', name: 'TOKEN', secret: 'y', operation: 'update' },
        { id: 10, type: 'env', operation: 'delete' },
        { id: 11, type: 'file', name: 'F', secret: 'z', operation: 'create' },
        { id: 12, type: 'var', name: 'G', secret: 'z', operation: 'upsert' },
        { id: 13, operation: 'delete' },
        { id: 14, name: 'H', operation: 'update' },
        'junk',
      ],
    };
    expect(environmentSecretsFromWire(body)).toEqual([
      { id: 0, type: EnvironmentSecretType.Var, name: 'PW', secret: 'x', operation: EnvironmentSecretOperation.Create },
      {
        id: 9,
        type: EnvironmentSecretType.Env,
        name: 'TOKEN',
        secret: 'y',
        operation: EnvironmentSecretOperation.Update,
      },
      { id: 10, type: EnvironmentSecretType.Env, name: '', secret: '', operation: EnvironmentSecretOperation.Delete },
      { id: 13, type: EnvironmentSecretType.Var, name: '', secret: '', operation: EnvironmentSecretOperation.Delete },
    ]);
    expect(environmentSecretsFromWire({ secrets: null })).toBeUndefined();
    expect(environmentSecretsFromWire({})).toBeUndefined();
  });
});
