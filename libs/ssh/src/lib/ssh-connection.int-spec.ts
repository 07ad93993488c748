import { startSshd, type SshdServer } from '@semaphore/testing';
import { SshConnection, SshErrorCode, type SshError, type SshTarget } from '../index';
import { otherKeyPair, rejectionOf, targetOf } from '../testing/fixtures';

async function expectSshError(promise: Promise<unknown>, code: SshErrorCode): Promise<SshError> {
  const err = await rejectionOf(promise);
  expect(err.code).toBe(code);
  return err;
}

describe('SshConnection against a real OpenSSH sshd', () => {
  let sshd: SshdServer;
  let target: SshTarget;

  beforeAll(async () => {
    sshd = await startSshd();
    target = targetOf(sshd);
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
