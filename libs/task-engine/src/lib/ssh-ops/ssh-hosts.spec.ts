import { HostKeyMode } from '@semaphore/models';
import { HostConfigError, hostTarget, jumpHostOf, parseEndpoint } from './ssh-hosts';

const opts = {
  key: { type: 'ssh' as const, login: 'keyuser', privateKey: 'PRIVATE', passphrase: 'pp' },
  knownHosts: [],
  hostKeyMode: HostKeyMode.Verify,
  connectTimeoutMs: 5000,
  onAccepted: () => undefined,
};

describe('ssh host targets', () => {
  it('parses [user@]host[:port] and refuses option-like or broken ones', () => {
    expect(parseEndpoint('deploy@bastion.example:2200', 'x')).toEqual({
      user: 'deploy',
      host: 'bastion.example',
      port: 2200,
    });
    expect(parseEndpoint('[::1]:22', 'x')).toEqual({ user: null, host: '::1', port: 22 });
    expect(() => parseEndpoint('-oProxyCommand=evil', 'x')).toThrow(HostConfigError);
    expect(() => parseEndpoint('host:99999', 'x')).toThrow(/invalid port/);
    expect(() => parseEndpoint('a b', 'x')).toThrow(HostConfigError);
  });

  it('finds the bastion in semaphore_jump_host or ProxyJump of the ssh args', () => {
    expect(jumpHostOf({ semaphore_jump_host: 'ops@jump:2022' })).toEqual({ user: 'ops', host: 'jump', port: 2022 });
    expect(jumpHostOf({ ansible_ssh_common_args: '-o ProxyJump=jump.example' })).toMatchObject({
      host: 'jump.example',
    });
    expect(jumpHostOf({ ansible_ssh_common_args: '-o StrictHostKeyChecking=no -J "me@j:23"' })).toEqual({
      user: 'me',
      host: 'j',
      port: 23,
    });
    expect(jumpHostOf({})).toBeNull();
    expect(() => jumpHostOf({ semaphore_jump_host: 'a,b' })).toThrow(/one hop/);
  });

  it('uses ansible connection variables, the key login as the default user, and the jump host', () => {
    const target = hostTarget(
      {
        name: 'web1',
        vars: { ansible_host: '10.0.0.5', ansible_port: '2201', semaphore_jump_host: 'jump' },
        groups: [],
      },
      opts,
    );
    expect(target.name).toBe('web1');
    expect(target.target).toMatchObject({ host: '10.0.0.5', port: 2201, username: 'keyuser', privateKey: 'PRIVATE' });
    expect(target.target.jump).toMatchObject({ host: 'jump', port: 22, username: 'keyuser' });
    expect(hostTarget({ name: 'h', vars: { ansible_user: 'other' }, groups: [] }, opts).target.username).toBe('other');
    expect(() => hostTarget({ name: 'h', vars: { ansible_port: 'x' }, groups: [] }, opts)).toThrow(/not a port/);
    expect(() => hostTarget({ name: 'h', vars: { ansible_connection: 'local' }, groups: [] }, opts)).toThrow(/not SSH/);
  });

  it('trusts fingerprints pinned in the inventory besides the known hosts, and refuses malformed ones', () => {
    const fp = `SHA256:${'A'.repeat(43)}`;
    const jumpFp = `SHA256:${'B'.repeat(43)}`;
    const t = hostTarget(
      {
        name: 'h',
        vars: {
          semaphore_host_key_fingerprint: fp,
          semaphore_jump_host: 'j',
          semaphore_jump_host_key_fingerprint: jumpFp,
        },
        groups: [],
      },
      opts,
    );
    expect(t.target.hostKeys.fingerprints).toEqual([fp]);
    expect(t.target.jump?.hostKeys.fingerprints).toEqual([jumpFp]);
    expect(() =>
      hostTarget({ name: 'h', vars: { semaphore_host_key_fingerprint: 'MD5:aa:bb' }, groups: [] }, opts),
    ).toThrow(/not a SHA256/);
  });

  it('takes a login_password key as password authentication', () => {
    const t = hostTarget(
      { name: 'h', vars: {}, groups: [] },
      { ...opts, key: { type: 'login_password', login: 'pw-user', password: 'sekret' } },
    );
    expect(t.target).toMatchObject({ username: 'pw-user', password: 'sekret' });
    expect(t.target.privateKey).toBeUndefined();
  });
});
