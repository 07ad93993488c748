import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { Client, utils } from 'ssh2';
import { sshFingerprintSha256, startSshd, type SshdServer } from './sshd';

const execFileAsync = promisify(execFile);

interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Opens a TCP socket with Nagle disabled, as the project's SSH client does. */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.setNoDelay(true);
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}

async function sshConnect(server: SshdServer, privateKey: string): Promise<Client> {
  const sock = await openSocket(server.port);
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', (err) => {
      sock.destroy();
      reject(err);
    });
    client.connect({
      sock,
      username: server.username,
      privateKey,
      hostVerifier: (key: Buffer) => sshFingerprintSha256(key) === server.hostKeyFingerprintSha256,
      // Generous: the int tier runs in parallel with 200 MB transfers on two cores.
      readyTimeout: 60_000,
    });
  });
}

function exec(client: Client, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      stream.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      stream.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      stream.on('exit', (exitCode: number | null) => (code = exitCode));
      stream.on('close', () => resolve({ stdout, stderr, code }));
    });
  });
}

describe('startSshd', () => {
  let server: SshdServer;

  beforeAll(async () => {
    server = await startSshd();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('reports the host key fingerprint exactly as ssh-keygen -lf prints it', async () => {
    const { stdout } = await execFileAsync('ssh-keygen', ['-lf', `${server.dir}/ssh_host_ed25519_key.pub`]);
    expect(stdout.split(' ')[1]).toBe(server.hostKeyFingerprintSha256);
    expect(server.hostKeyFingerprintSha256).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(server.privateKey).toContain('-----BEGIN OPENSSH PRIVATE KEY-----');
  });

  it('runs a command over a verified connection with stdout, stderr and exit code', async () => {
    const client = await sshConnect(server, server.privateKey);
    try {
      const result = await exec(client, 'echo hello; echo err >&2; exit 3');
      expect(result).toEqual({ stdout: 'hello\n', stderr: 'err\n', code: 3 });
    } finally {
      client.end();
    }
  });

  it('refuses a host whose key does not match the pinned fingerprint', async () => {
    const other = await startSshd();
    try {
      const impostor = { ...other, hostKeyFingerprintSha256: server.hostKeyFingerprintSha256 };
      await expect(sshConnect(impostor, server.privateKey)).rejects.toThrow(/verification failed/i);
    } finally {
      await other.stop();
    }
  });

  it('rejects a key that is not in authorized_keys', async () => {
    const wrongKey = utils.generateKeyPairSync('ed25519').private;
    const error = await sshConnect(server, wrongKey).then(
      () => undefined,
      (err: Error & { level?: string }) => err,
    );
    expect({ level: error?.level, message: error?.message }).toMatchObject({ level: 'client-authentication' });
    expect(server.output()).toMatch(/Connection closed by authenticating user|Failed publickey/);
  });

  it('stop() really stops the server: new connections are refused', async () => {
    const victim = await startSshd();
    await victim.stop();
    await expect(openSocket(victim.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
