import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type SshdServer } from '@semaphore/testing';
import { SshConnection, SshError, SshErrorCode, type SshTarget } from '../index';

function otherKeyPair(): { privateKey: string; publicKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'semtest-key-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    return { privateKey: readFileSync(join(dir, 'k'), 'utf8'), publicKey: readFileSync(join(dir, 'k.pub'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function expectSshError(promise: Promise<unknown>, code: SshErrorCode): Promise<SshError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ${code}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SshError);
  expect((err as SshError).code).toBe(code);
  return err as SshError;
}

describe('SshConnection against a real OpenSSH sshd', () => {
  let sshd: SshdServer;
  let target: SshTarget;

  beforeAll(async () => {
    sshd = await startSshd();
    target = {
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      hostKeys: { fingerprints: [sshd.hostKeyFingerprintSha256] },
    };
  });

  afterAll(async () => {
    await sshd?.stop();
  });

  it('execs a command with the pinned host key and returns output and exit code', async () => {
    const conn = await SshConnection.open(target);
    try {
      const res = await conn.exec('echo out; echo err >&2; exit 7');
      expect(res).toEqual({ code: 7, signal: null, stdout: 'out\n', stderr: 'err\n' });
      // The connection is reused for a second command.
      expect((await conn.exec('printf %s "$((6*7))"')).stdout).toBe('42');
    } finally {
      conn.close();
    }
  });

  it('refuses a server whose host key is not pinned', async () => {
    const err = await expectSshError(
      SshConnection.open({
        ...target,
        hostKeys: { fingerprints: ['SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'] },
      }),
      SshErrorCode.HostKeyMismatch,
    );
    expect(err.message).toContain(sshd.hostKeyFingerprintSha256);
    expect(err.retryable).toBe(false);
  });

  it('reports a key the server does not accept as an authentication failure', async () => {
    const err = await expectSshError(
      SshConnection.open({ ...target, privateKey: otherKeyPair().privateKey }),
      SshErrorCode.AuthenticationFailed,
    );
    expect(err.retryable).toBe(false);
  });

  it('reports a closed port as a retryable connection failure', async () => {
    const stopped = await startSshd();
    await stopped.stop();
    const err = await expectSshError(
      SshConnection.open({ ...target, port: stopped.port }),
      SshErrorCode.ConnectionFailed,
    );
    expect(err.retryable).toBe(true);
  });
});
