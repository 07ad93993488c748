import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client, type SFTPWrapper } from 'ssh2';
import { SshConnection, downloadFile, uploadFile } from '@semaphore/ssh';
import { startSshd, type SshdServer } from '@semaphore/testing';
import { percentile, wallMs, type Report } from '../lib/report';

const SCENARIO = 'ssh/sftp';
const GOAL_RATIO = 0.8;
const EXEC_ROUNDS = 200;

/**
 * SFTP upload and download of one large file through libs/ssh (streaming, progress, resumable) against raw ssh2
 * `fastPut` / `fastGet` on the same sshd, and exec round trips on a warm connection against raw ssh2 `exec`.
 */
export async function sshSftpScenario(report: Report, megabytes: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sftp-'));
  const sshd = await startSshd();
  const raw = await rawClient(sshd);
  const ours = await SshConnection.open({
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
    hostKeys: { fingerprints: [sshd.hostKeyFingerprintSha256] },
  });
  try {
    const source = join(dir, 'source.bin');
    await writeRandomFile(source, megabytes);
    const rawSftp = await new Promise<SFTPWrapper>((res, rej) => raw.sftp((e, s) => (e ? rej(e) : res(s))));
    const sftp = await ours.sftp();
    const bytes = megabytes * 1024 * 1024;
    const mbps = (ms: number) => Math.round((bytes / 1024 / 1024 / (ms / 1000)) * 10) / 10;

    const rawPut = await timed(() => callback((cb) => rawSftp.fastPut(source, join(dir, 'raw-up.bin'), cb)));
    const ourPut = await timed(() => uploadFile(sftp, source, join(dir, 'our-up.bin'), { host: sshd.host }));
    const rawGet = await timed(() =>
      callback((cb) => rawSftp.fastGet(join(dir, 'raw-up.bin'), join(dir, 'raw-down.bin'), cb)),
    );
    const ourGet = await timed(() =>
      downloadFile(sftp, join(dir, 'our-up.bin'), join(dir, 'our-down.bin'), { host: sshd.host }),
    );
    const sum = await sha256(source);
    report.check(
      SCENARIO,
      'uploaded and downloaded files are identical',
      (await sha256(join(dir, 'our-down.bin'))) === sum,
      'sha256 of the round trip',
    );
    for (const [name, ms, baseMs, baseline] of [
      ['upload', ourPut, rawPut, 'raw ssh2 fastPut'],
      ['download', ourGet, rawGet, 'raw ssh2 fastGet'],
    ] as const) {
      const value = mbps(ms);
      const base = mbps(baseMs);
      report.add({
        scenario: SCENARIO,
        name: `${name} ${megabytes} MB`,
        unit: 'MB/s',
        value,
        baseline: base,
        baselineName: baseline,
        better: 'higher',
        goal: `>= ${GOAL_RATIO * 100}% of ${baseline}`,
        met: value >= GOAL_RATIO * base,
      });
    }

    const rawExec: number[] = [];
    const ourExec: number[] = [];
    for (let i = 0; i < EXEC_ROUNDS; i++) {
      rawExec.push(await timed(() => rawExecOnce(raw, 'true')));
      ourExec.push(
        await timed(() => ours.execStream('true', { onStdout: () => undefined, onStderr: () => undefined })),
      );
    }
    for (const p of [50, 99]) {
      report.add({
        scenario: SCENARIO,
        name: `exec round trip p${p} (warm connection)`,
        unit: 'ms',
        value: percentile(ourExec, p),
        baseline: percentile(rawExec, p),
        baselineName: 'raw ssh2 exec',
        better: 'lower',
      });
    }
  } finally {
    ours.close();
    raw.end();
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = wallMs();
  await fn();
  return wallMs() - start;
}

function callback(fn: (cb: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

function rawClient(sshd: SshdServer): Promise<Client> {
  const client = new Client();
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.on('connect', () =>
      (client as unknown as { _sock?: { setNoDelay?: (b: boolean) => void } })._sock?.setNoDelay?.(true),
    );
    client.connect({ host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
  });
}

function rawExecOnce(client: Client, command: string): Promise<void> {
  return new Promise((resolve, reject) =>
    client.exec(command, (err, ch) => {
      if (err) return reject(err);
      ch.on('close', () => resolve()).resume();
      ch.stderr.resume();
    }),
  );
}

async function writeRandomFile(path: string, megabytes: number): Promise<void> {
  async function* chunks() {
    for (let i = 0; i < megabytes; i++) yield randomBytes(1024 * 1024);
  }
  await pipeline(chunks, createWriteStream(path));
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
