import { AccessKeyType } from '@semaphore/models';
import type { AccessKeyEntity } from '@semaphore/persistence';
import { SecretCipher } from '../crypto';
import { accessKeySecretFromWire, fromWireAccessKey, overrideSecretFromWire, toWireAccessKey } from './access-key.wire';

const noneKey: AccessKeyEntity = {
  id: 1,
  projectId: 1,
  name: 'None',
  type: AccessKeyType.None,
  secret: null,
  created: new Date('2024-10-25T00:00:00Z'),
};

const BLANK_SECRETS =
  '"string":"","login_password":{"login":"","password":""},"ssh":{"login":"","passphrase":"","private_key":""},' +
  '"override_secret":false';

describe('access key wire', () => {
  it('GET P/keys item matches Appendix A (empty:true when no secret is stored)', () => {
    expect(JSON.stringify(toWireAccessKey(noneKey))).toBe(
      `{"id":1,"name":"None","type":"none","project_id":1,${BLANK_SECRETS},"empty":true}`,
    );
    expect(toWireAccessKey({ ...noneKey, secret: '' }).empty).toBe(true);
  });

  it('blanks secrets and omits `empty` when the entity holds ciphertext', () => {
    const cipher = new SecretCipher(Buffer.alloc(32, 7));
    const privateKey =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    const secret = cipher.encryptSshKey({ login: 'deploy', passphrase: 'hunter2', private_key: privateKey });
    const key: AccessKeyEntity = { ...noneKey, id: 2, name: 'Deploy', type: AccessKeyType.Ssh, secret };

    const wire = toWireAccessKey(key);
    const json = JSON.stringify(wire);

    expect(json).toBe(`{"id":2,"name":"Deploy","type":"ssh","project_id":1,${BLANK_SECRETS}}`);
    expect('empty' in wire).toBe(false);
    expect(json).not.toContain(secret);
    expect(json).not.toContain('deploy');
    expect(json).not.toContain('hunter2');
  });

  it('blanks every secret type, and keeps a null project_id', () => {
    for (const type of [AccessKeyType.LoginPassword, AccessKeyType.String]) {
      const wire = toWireAccessKey({ ...noneKey, type, projectId: null, secret: 'c2VjcmV0LWNpcGhlcnRleHQ=' });
      expect(JSON.stringify(wire)).toBe(`{"id":1,"name":"None","type":"${type}","project_id":null,${BLANK_SECRETS}}`);
    }
  });

  it('reads name and type, never id or project_id', () => {
    expect(fromWireAccessKey({ id: 5, project_id: 2, name: 'k', type: 'ssh' })).toEqual({
      name: 'k',
      type: AccessKeyType.Ssh,
    });
    expect(fromWireAccessKey({ type: 'rsa' })).toEqual({});
    expect(overrideSecretFromWire({ override_secret: true })).toBe(true);
    expect(overrideSecretFromWire({})).toBe(false);
  });

  it('reads the secret chosen by type', () => {
    const ssh = { login: 'u', passphrase: 'p', private_key: 'K' };
    expect(accessKeySecretFromWire({ type: 'ssh', ssh, login_password: { password: 'ignored' } })).toEqual({
      type: AccessKeyType.Ssh,
      value: ssh,
    });
    expect(accessKeySecretFromWire({ type: 'login_password', login_password: { password: 'pw' } })).toEqual({
      type: AccessKeyType.LoginPassword,
      value: { login: '', password: 'pw' },
    });
    expect(accessKeySecretFromWire({ type: 'string', string: 's3cr3t' })).toEqual({
      type: AccessKeyType.String,
      value: 's3cr3t',
    });
    expect(accessKeySecretFromWire({ type: 'ssh' })).toEqual({
      type: AccessKeyType.Ssh,
      value: { login: '', passphrase: '', private_key: '' },
    });
    expect(accessKeySecretFromWire({ type: 'none', string: 'x' })).toBeNull();
    expect(accessKeySecretFromWire({ string: 'x' })).toBeNull();
  });
});
