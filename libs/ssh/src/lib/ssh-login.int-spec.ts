import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SSH_RETRY } from '@semaphore/models';
import { createLocalUser, startSshd, type LocalUser, type SshdServer } from '@semaphore/testing';
import {
  SshConnection,
  SshErrorCode,
  knownHostFingerprints,
  withRetry,
  type AcceptedHostKey,
  type SshError,
  type SshTarget,
} from '../index';
import { otherKeyPair, rejectionOf as sshError, targetOf } from '../testing/fixtures';

const PASSWORD = 'correct horse 42';

/** A policy that retries everything it may, so that a single run proves the error is never retried. */
const EAGER_RETRY = {
  ...DEFAULT_SSH_RETRY,
  attempts: 3,
  backoffMs: 1,
  retryOn: ['SSH_CONNECTION_FAILED', 'SSH_TIMEOUT', 'SSH_AUTHENTICATION_FAILED', 'SSH_HOST_KEY_MISMATCH'],
};

async function runs(target: SshTarget): Promise<{ attempts: number; error: SshError }> {
  let attempts = 0;
  const error = await sshError(
    withRetry(EAGER_RETRY, async () => {
      attempts++;
      (await SshConnection.open(target)).close();
    }),
  );
  return { attempts, error };
}

async function whoami(target: SshTarget): Promise<string> {
  const conn = await SshConnection.open(target);
  try {
    return (await conn.exec('id -un')).stdout.trim();
  } finally {
    conn.close();
  }
}

describe('SSH login options against real OpenSSH sshd servers', () => {
  let user: LocalUser;
  let passwordSshd: SshdServer;
  let kbdSshd: SshdServer;
  let other: SshdServer;
  let keyTarget: SshTarget;

  beforeAll(async () => {
    user = await createLocalUser('semssh', PASSWORD);
    [passwordSshd, kbdSshd, other] = await Promise.all([
      startSshd({ extraConfig: ['PasswordAuthentication yes'] }),
      // Keyboard-interactive only, answered by PAM's password prompt.
      startSshd({ extraConfig: ['KbdInteractiveAuthentication yes'], usePam: true }),
      startSshd(),
    ]);
    keyTarget = targetOf(passwordSshd);
  });

  afterAll(async () => {
    await Promise.all([passwordSshd?.stop(), kbdSshd?.stop(), other?.stop()]);
    await user?.remove();
  });

  const passwordTarget = (sshd: SshdServer, password: string): SshTarget =>
    targetOf(sshd, { username: user.name, privateKey: undefined, password });

  it('logs in with a password', async () => {
    expect(await whoami(passwordTarget(passwordSshd, PASSWORD))).toBe(user.name);
  });

  it('answers keyboard-interactive prompts with the password', async () => {
    expect(await whoami(passwordTarget(kbdSshd, PASSWORD))).toBe(user.name);
  });

  it('reports a wrong password as an authentication failure naming user@host:port, never the password, tried once', async () => {
    for (const sshd of [passwordSshd, kbdSshd]) {
      const { attempts, error } = await runs(passwordTarget(sshd, 'wrong password'));
      expect(error.code).toBe(SshErrorCode.AuthenticationFailed);
      expect(error.message).toBe(`${user.name}@127.0.0.1:${sshd.port} refused the password for ${user.name}`);
      expect(attempts).toBe(1);
    }
  });

  it('reports a key the server does not accept as an authentication failure, tried once', async () => {
    const { attempts, error } = await runs({ ...keyTarget, privateKey: otherKeyPair().privateKey });
    expect(error.code).toBe(SshErrorCode.AuthenticationFailed);
    expect(error.message).toBe(`${keyTarget.username}@127.0.0.1:${keyTarget.port} refused the key for root`);
    expect(attempts).toBe(1);
  });

  it('refuses a host whose known key is not the presented one, tried once', async () => {
    // known_hosts says this host:port has the other server's key: the key "changed".
    const knownHosts = [`[127.0.0.1]:${passwordSshd.port} ${other.hostPublicKey}`];
    const known = knownHostFingerprints(knownHosts, '127.0.0.1', passwordSshd.port);
    expect(known.fingerprints).toEqual([other.hostKeyFingerprintSha256]);
    const { attempts, error } = await runs({ ...keyTarget, hostKeys: { ...known, acceptNew: true } });
    expect(error.code).toBe(SshErrorCode.HostKeyMismatch);
    expect(error.message).toContain(passwordSshd.hostKeyFingerprintSha256);
    expect(error.message).toContain('not a known key of this host');
    expect(attempts).toBe(1);
  });

  it('accept-new records the key of a host with no known key, then verifies it like any known key', async () => {
    const accepted: AcceptedHostKey[] = [];
    const first = await whoami({
      ...keyTarget,
      hostKeys: { fingerprints: [], acceptNew: true, onAccepted: (k) => accepted.push(k) },
    });
    expect(first).toBe('root');
    expect(accepted).toHaveLength(1);
    expect(accepted[0].fingerprint).toBe(passwordSshd.hostKeyFingerprintSha256);
    expect(`${accepted[0].keyType} ${accepted[0].keyBase64}`).toBe(
      passwordSshd.hostPublicKey.split(' ').slice(0, 2).join(' '),
    );

    // The recorded line, read back: the next connection verifies it and records nothing.
    const knownHosts = [`[127.0.0.1]:${passwordSshd.port} ${accepted[0].keyType} ${accepted[0].keyBase64}`];
    const hostKeys = { ...knownHostFingerprints(knownHosts, '127.0.0.1', passwordSshd.port), acceptNew: true };
    const again: AcceptedHostKey[] = [];
    expect(await whoami({ ...keyTarget, hostKeys: { ...hostKeys, onAccepted: (k) => again.push(k) } })).toBe('root');
    expect(again).toEqual([]);

    // The same known key presented by another server (a changed key on that address) is refused, never accepted.
    const err = await sshError(
      SshConnection.open({
        ...keyTarget,
        port: other.port,
        privateKey: other.privateKey,
        hostKeys: { ...hostKeys, onAccepted: (k) => again.push(k) },
      }),
    );
    expect(err.code).toBe(SshErrorCode.HostKeyMismatch);
    expect(again).toEqual([]);
  });

  it('refuses a revoked key even with accept-new and nothing else known', async () => {
    const lines = [`@revoked * ${passwordSshd.hostPublicKey}`];
    const accepted: AcceptedHostKey[] = [];
    const err = await sshError(
      SshConnection.open({
        ...keyTarget,
        hostKeys: {
          ...knownHostFingerprints(lines, '127.0.0.1', keyTarget.port),
          acceptNew: true,
          onAccepted: (k) => accepted.push(k),
        },
      }),
    );
    expect(err.code).toBe(SshErrorCode.HostKeyMismatch);
    expect(err.message).toContain('revoked');
    expect(accepted).toEqual([]);
  });

  it('refuses an unknown host without accept-new', async () => {
    const err = await sshError(SshConnection.open({ ...keyTarget, hostKeys: { fingerprints: [] } }));
    expect(err.code).toBe(SshErrorCode.HostKeyMismatch);
    expect(err.message).toContain('no key is known for this host');
  });

  it('feeds stdin to a streamed command and closes it (a script for /bin/sh -s)', async () => {
    const conn = await SshConnection.open(keyTarget);
    try {
      const out: Buffer[] = [];
      const res = await conn.execStream('/bin/sh -s', {
        onStdout: (d) => out.push(d),
        onStderr: () => undefined,
        stdin: 'read -r line <<EOF\nfrom-heredoc\nEOF\necho "got $line"; cat; exit 3\n',
      });
      expect(res.code).toBe(3);
      expect(Buffer.concat(out).toString()).toBe('got from-heredoc\n');
    } finally {
      conn.close();
    }
  });

  it('ends a command that prints nothing for idleTimeoutMs with SSH_TIMEOUT, killing it', async () => {
    const conn = await SshConnection.open(keyTarget);
    const marker = join(tmpdir(), `semtest-idle-${process.pid}-${Date.now()}`);
    try {
      const out: string[] = [];
      const err = await sshError(
        conn.execStream(`echo started; sleep 30; touch ${marker}`, {
          onStdout: (d) => out.push(d.toString()),
          onStderr: () => undefined,
          idleTimeoutMs: 500,
        }),
      );
      expect(err.code).toBe(SshErrorCode.Timeout);
      expect(err.message).toBe('the command printed nothing for 500 ms');
      expect(out.join('')).toBe('started\n');
      // The sleep was killed with its process group: nothing of that command is left running.
      const left = await conn.exec(`pgrep -f '[s]leep 30; touch ${marker}' || true`);
      expect(left.stdout.trim()).toBe('');

      // Output keeps a command alive past the idle limit.
      const res = await conn.execStream('for i in 1 2 3 4; do echo $i; sleep 0.3; done', {
        onStdout: () => undefined,
        onStderr: () => undefined,
        idleTimeoutMs: 3_000,
      });
      expect(res.code).toBe(0);
    } finally {
      conn.close();
      rmSync(marker, { force: true });
    }
  });
});
