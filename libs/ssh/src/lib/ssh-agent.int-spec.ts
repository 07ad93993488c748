import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type SshdServer } from '@semaphore/testing';
import { SshAgent } from './ssh-agent';
import { SshError } from './ssh-error';

const run = promisify(execFile);

function keyPair(dir: string, type: string, passphrase: string): { privateKey: string; publicKey: string } {
  const file = join(dir, `id_${type}_${Math.random().toString(36).slice(2)}`);
  const bits = type === 'rsa' ? ['-b', '2048'] : type === 'ecdsa' ? ['-b', '384'] : [];
  execFileSync('ssh-keygen', ['-q', '-t', type, ...bits, '-N', passphrase, '-f', file]);
  return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
}

describe('SshAgent (in-process agent used by OpenSSH clients)', () => {
  let dir: string;
  const keys: Record<string, { privateKey: string; publicKey: string }> = {};
  let sshd: SshdServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'semtest-agent-'));
    keys.ed25519 = keyPair(dir, 'ed25519', 'secret words');
    keys.rsa = keyPair(dir, 'rsa', '');
    keys.ecdsa = keyPair(dir, 'ecdsa', 'another secret');
    sshd = await startSshd({ extraAuthorizedKeys: Object.values(keys).map((k) => k.publicKey) });
  });

  afterAll(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['ed25519', 'secret words'],
    ['rsa', ''],
    ['ecdsa', 'another secret'],
  ])('lets ssh log in with a %s key it holds, without the key on disk', async (type, passphrase) => {
    const agent = await SshAgent.start(dir);
    try {
      agent.addKey(keys[type].privateKey, passphrase);
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', SSH_AUTH_SOCK: agent.socketPath };
      const listed = await run('ssh-add', ['-L'], { env });
      expect(listed.stdout.trim().split(' ').slice(0, 2)).toEqual(keys[type].publicKey.split(' ').slice(0, 2));
      const knownHosts = join(dir, 'known_hosts');
      writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
      const out = await run(
        'ssh',
        [
          '-p',
          String(sshd.port),
          '-o',
          'BatchMode=yes',
          '-o',
          `UserKnownHostsFile=${knownHosts}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          'IdentityFile=none',
          '-o',
          'PreferredAuthentications=publickey',
          `${sshd.username}@127.0.0.1`,
          'echo via-agent',
        ],
        { env },
      );
      expect(out.stdout.trim()).toBe('via-agent');
    } finally {
      await agent.stop();
    }
  });

  it('refuses a wrong passphrase with a typed error and removes its socket on stop', async () => {
    const agent = await SshAgent.start(dir);
    expect(() => agent.addKey(keys.ed25519.privateKey, 'wrong')).toThrow(SshError);
    expect(() => agent.addKey('not a key')).toThrow(/cannot load the private key/);
    const socket = agent.socketPath;
    await agent.stop();
    expect(existsSync(socket)).toBe(false);
  });

  it('startWithKey starts an agent holding the key, and leaves no socket behind when the key cannot be loaded', async () => {
    const sockets = () => readdirSync(dir).filter((f) => f.startsWith('agent-'));
    const agent = await SshAgent.startWithKey(dir, keys.ecdsa.privateKey, 'another secret');
    try {
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', SSH_AUTH_SOCK: agent.socketPath };
      const listed = await run('ssh-add', ['-L'], { env });
      expect(listed.stdout.trim().split(' ').slice(0, 2)).toEqual(keys.ecdsa.publicKey.split(' ').slice(0, 2));
    } finally {
      await agent.stop();
    }
    expect(sockets()).toEqual([]);
    await expect(SshAgent.startWithKey(dir, keys.ecdsa.privateKey, 'wrong')).rejects.toThrow(
      /cannot load the private key/,
    );
    expect(sockets()).toEqual([]);
  });
});
