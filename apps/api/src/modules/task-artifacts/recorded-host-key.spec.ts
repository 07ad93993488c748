import { createHash } from 'node:crypto';
import { hasHostKey, recordedHostKey, recordedHostKeyProblem, withHostKey } from './recorded-host-key';

/** A key blob naming `type` as its first field (RFC 4253 §6.6), base64. */
function blob(type: string, filler = 'k'): string {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.alloc(32, filler)]).toString('base64');
}

const ED = blob('ssh-ed25519');

describe('recordedHostKeyProblem', () => {
  it.each([
    `[web1.example.test]:2222 ssh-ed25519 ${ED}`,
    `web1.example.test ssh-ed25519 ${ED}`,
    `10.0.0.5 ssh-ed25519 ${ED}`,
    `[::1]:22 ssh-ed25519 ${ED}`,
    `|1|c2FsdHNhbHRzYWx0c2FsdA==|aGFzaGhhc2hoYXNoaGFzaGg= ssh-ed25519 ${ED}`,
    `  [h]:22 ssh-ed25519 ${ED} a comment  `,
  ])('accepts %s', (line) => {
    expect(recordedHostKeyProblem(line)).toBeNull();
  });

  it.each([
    ['', /^line must not be empty/],
    ['just-one-field', /^line is not "\[host\]:port keytype base64"/],
    [`h ssh-rsa ${ED}`, /^line the key is not a ssh-rsa key/],
    [`h ssh-ed25519 ${ED}\nevil ssh-ed25519 ${ED}`, /^line contains control characters/],
    [`-oProxyCommand=x ssh-ed25519 ${ED}`, /^line host pattern must not start with "-"/],
    [`@cert-authority *.example.test ssh-ed25519 ${ED}`, /^line must be a plain host key entry/],
    [`@revoked h ssh-ed25519 ${ED}`, /^line must be a plain host key entry/],
    [`* ssh-ed25519 ${ED}`, /^line: the host must be one name/],
    [`*.example.test ssh-ed25519 ${ED}`, /^line: the host must be one name/],
    [`a,b ssh-ed25519 ${ED}`, /^line: the host must be one name/],
    [`!a ssh-ed25519 ${ED}`, /^line: the host must be one name/],
    [`[h]:0 ssh-ed25519 ${ED}`, /^line: the port must be from 1 to 65535/],
    [`[h]:70000 ssh-ed25519 ${ED}`, /^line: the port must be from 1 to 65535/],
    [`[-h]:22 ssh-ed25519 ${ED}`, /^line: the host must be one name/],
    [`h ssh-ed25519 ${'A'.repeat(17_000)}`, /^line must be at most 16384 characters/],
  ])('refuses %j', (line, message) => {
    expect(recordedHostKeyProblem(line)).toMatch(message);
  });
});

describe('recordedHostKey', () => {
  it('keeps host, type and key (not the comment) and computes the OpenSSH fingerprint', () => {
    const key = recordedHostKey(` [h]:2222  ssh-ed25519 ${ED} runner comment`);
    const digest = createHash('sha256').update(Buffer.from(ED, 'base64')).digest('base64').replace(/=+$/, '');
    expect(key).toEqual({
      host: '[h]:2222',
      keyType: 'ssh-ed25519',
      keyBase64: ED,
      fingerprint: `SHA256:${digest}`,
      line: `[h]:2222 ssh-ed25519 ${ED}`,
    });
  });
});

describe('hasHostKey / withHostKey', () => {
  const key = recordedHostKey(`[h]:2222 ssh-ed25519 ${ED}`);

  it('finds the same entry whatever its spacing or comment, not another host or key', () => {
    expect(hasHostKey(`# trusted\n[h]:2222   ssh-ed25519 ${ED} added by hand\n`, key)).toBe(true);
    expect(hasHostKey(`[h]:2223 ssh-ed25519 ${ED}`, key)).toBe(false);
    expect(hasHostKey(`[h]:2222 ssh-ed25519 ${blob('ssh-ed25519', 'x')}`, key)).toBe(false);
    expect(hasHostKey(`@revoked [h]:2222 ssh-ed25519 ${ED}`, key)).toBe(false);
    expect(hasHostKey('', key)).toBe(false);
  });

  it('appends on a line of its own', () => {
    expect(withHostKey('', key)).toBe(`${key.line}\n`);
    expect(withHostKey('a ssh-rsa AAAA', key)).toBe(`a ssh-rsa AAAA\n${key.line}\n`);
    expect(withHostKey('a ssh-rsa AAAA\n\n  \n', key)).toBe(`a ssh-rsa AAAA\n${key.line}\n`);
  });
});
