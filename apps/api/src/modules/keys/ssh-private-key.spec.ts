import { utils } from 'ssh2';
import { sshPrivateKeyProblem } from './ssh-private-key';

describe('sshPrivateKeyProblem', () => {
  const plain = utils.generateKeyPairSync('ed25519');
  const encrypted = utils.generateKeyPairSync('ed25519', {
    passphrase: 'open sesame',
    cipher: 'aes256-ctr',
    rounds: 4,
  });
  const rsa = utils.generateKeyPairSync('rsa', { bits: 1024 });

  it('accepts unencrypted OpenSSH and RSA keys, and encrypted ones with their passphrase', () => {
    expect(sshPrivateKeyProblem(plain.private, '')).toBeNull();
    expect(sshPrivateKeyProblem(rsa.private, '')).toBeNull();
    expect(sshPrivateKeyProblem(encrypted.private, 'open sesame')).toBeNull();
  });

  it('refuses garbage, public keys, and encrypted keys without or with a wrong passphrase', () => {
    expect(sshPrivateKeyProblem('not a key', '')).toMatch(/^ssh\.private_key must be a PEM or OpenSSH/);
    expect(sshPrivateKeyProblem(plain.public, '')).toMatch(/^ssh\.private_key must be one private key/);
    expect(sshPrivateKeyProblem(encrypted.private, '')).toMatch(/^ssh\.passphrase is required/);
    expect(sshPrivateKeyProblem(encrypted.private, 'wrong')).toMatch(/^ssh\.passphrase does not decrypt/);
    expect(sshPrivateKeyProblem(plain.private.slice(0, 120), '')).toMatch(/^ssh\.private_key/);
  });

  it('never echoes the key in its messages', () => {
    const message = sshPrivateKeyProblem(`${plain.private}garbage`, 'x') ?? '';
    expect(message).not.toContain(plain.private.slice(40, 80));
  });
});
