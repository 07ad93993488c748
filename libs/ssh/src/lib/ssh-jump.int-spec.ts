import { startSshd, type SshdServer } from '@semaphore/testing';
import { SshConnection, SshErrorCode } from '../index';
import { rejectionOf as sshError, targetOf } from '../testing/fixtures';

describe('SSH through a jump host (two real sshd servers)', () => {
  let bastion: SshdServer;
  let closedBastion: SshdServer;
  let inner: SshdServer;

  beforeAll(async () => {
    [bastion, closedBastion, inner] = await Promise.all([
      startSshd(),
      startSshd({ extraConfig: ['AllowTcpForwarding no'] }),
      startSshd(),
    ]);
  });

  afterAll(async () => {
    await Promise.all([bastion?.stop(), closedBastion?.stop(), inner?.stop()]);
  });

  it('runs commands and SFTP on the target through a TCP forward of the jump host', async () => {
    const conn = await SshConnection.open({ ...targetOf(inner), jump: targetOf(bastion) });
    try {
      expect((await conn.exec('echo via-jump')).stdout).toBe('via-jump\n');
      const sftp = await conn.sftp();
      const listed = await new Promise<string[]>((resolve, reject) =>
        sftp.readdir(inner.dir, (err, list) => (err ? reject(err) : resolve(list.map((e) => e.filename)))),
      );
      expect(listed).toContain('sshd_config');
    } finally {
      conn.close();
    }
  });

  it('carries the connection over the jump host: when the bastion dies, the target connection is gone too', async () => {
    const crashing = await startSshd();
    const conn = await SshConnection.open({ ...targetOf(inner), jump: targetOf(crashing) });
    try {
      expect((await conn.exec('echo up')).stdout).toBe('up\n');
      await crashing.crash();
      await expect(conn.exec('echo still-there')).rejects.toBeInstanceOf(Error);
    } finally {
      conn.close();
      await crashing.stop();
    }
  });

  it('names the jump host when its host key is wrong', async () => {
    const err = await sshError(
      SshConnection.open({
        ...targetOf(inner),
        jump: { ...targetOf(bastion), hostKeys: { fingerprints: [inner.hostKeyFingerprintSha256] } },
      }),
    );
    expect(err.code).toBe(SshErrorCode.HostKeyMismatch);
    expect(err.message).toMatch(
      new RegExp(`^jump host of root@127\\.0\\.0\\.1:${inner.port}: root@127\\.0\\.0\\.1:${bastion.port} presented`),
    );
  });

  it('names the target, reached through the jump host, when its host key is wrong', async () => {
    const err = await sshError(
      SshConnection.open({
        ...targetOf(inner),
        hostKeys: { fingerprints: [bastion.hostKeyFingerprintSha256] },
        jump: targetOf(bastion),
      }),
    );
    expect(err.code).toBe(SshErrorCode.HostKeyMismatch);
    expect(err.message).toMatch(
      new RegExp(`^through root@127\\.0\\.0\\.1:${bastion.port}: root@127\\.0\\.0\\.1:${inner.port} presented`),
    );
  });

  it('reports a jump host that refuses to forward as a connection failure naming it', async () => {
    const err = await sshError(SshConnection.open({ ...targetOf(inner), jump: targetOf(closedBastion) }));
    expect(err.code).toBe(SshErrorCode.ConnectionFailed);
    expect(err.message).toContain(
      `jump host root@127.0.0.1:${closedBastion.port} could not open a connection to 127.0.0.1:${inner.port}`,
    );
  });

  it('reports a wrong key at the jump host as an authentication failure of the jump host', async () => {
    const err = await sshError(
      SshConnection.open({ ...targetOf(inner), jump: { ...targetOf(bastion), privateKey: undefined, password: 'x' } }),
    );
    expect(err.code).toBe(SshErrorCode.AuthenticationFailed);
    expect(err.message).toBe(
      `jump host of root@127.0.0.1:${inner.port}: root@127.0.0.1:${bastion.port} refused the password for root`,
    );
  });
});
