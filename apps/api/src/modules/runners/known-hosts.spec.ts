import { utils } from 'ssh2';
import { knownHostLines, knownHostsOptionKeys, KnownHostsError } from './known-hosts';

const ed25519 = utils.generateKeyPairSync('ed25519').public.trim();

describe('knownHostLines', () => {
  it('keeps entries in order and drops blank lines and comments', () => {
    const texts = [
      { key: 'ssh.known_hosts', value: `# office\n\n[127.0.0.1]:2222 ${ed25519}\r\n` },
      { key: 'project.3.ssh.known_hosts', value: `git.example.com,10.0.0.1 ${ed25519} comment words` },
    ];
    expect(knownHostLines(texts)).toEqual([
      `[127.0.0.1]:2222 ${ed25519}`,
      `git.example.com,10.0.0.1 ${ed25519} comment words`,
    ]);
  });

  it('accepts @cert-authority and @revoked markers', () => {
    expect(knownHostLines([{ key: 'k', value: `@revoked * ${ed25519}` }])).toEqual([`@revoked * ${ed25519}`]);
  });

  it.each([
    ['example.com ssh-ed25519', 'is not "[host]:port keytype base64"'],
    [`host ssh-rsa ${ed25519.split(' ')[1]}`, 'the key is not a ssh-rsa key'],
    ['host ssh-ed25519 AAAA', 'the key is not a ssh-ed25519 key'],
    [`-oProxyCommand=x ${ed25519}`, 'must not start with "-"'],
    [`host ${ed25519}\u0007`, 'control characters'],
  ])('refuses %j, naming the option and the line', (line, problem) => {
    const run = () => knownHostLines([{ key: 'ssh.known_hosts', value: `# first\n${line}` }]);
    expect(run).toThrow(KnownHostsError);
    expect(run).toThrow(`option ssh.known_hosts, line 2: `);
    expect(run).toThrow(problem);
  });

  it('reads the global option, then the project one', () => {
    expect(knownHostsOptionKeys(7)).toEqual(['ssh.known_hosts', 'project.7.ssh.known_hosts']);
  });
});
