import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import { SshConnection, type SshTarget } from '../lib/ssh-connection';
import { SshError } from '../lib/ssh-error';

/** Helpers of this library's integration tests (not exported from the library). */

/** What a test sshd (`startSshd` of @semaphore/testing, which only tests may import) tells about itself. */
interface TestSshd {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  hostKeyFingerprintSha256: string;
}

/** A target logging in to a test sshd as its user, with its key and pinned host key. */
export function targetOf(sshd: TestSshd, over: Partial<SshTarget> = {}): SshTarget {
  return {
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
    hostKeys: { fingerprints: [sshd.hostKeyFingerprintSha256] },
    ...over,
  };
}

/** An open connection to a test sshd and its SFTP session. */
export async function openSession(sshd: TestSshd): Promise<{ conn: SshConnection; sftp: SFTPWrapper }> {
  const conn = await SshConnection.open(targetOf(sshd));
  return { conn, sftp: await conn.sftp() };
}

/** The SshError a promise rejects with; anything else (a resolution too) fails. */
export async function rejectionOf(promise: Promise<unknown>): Promise<SshError> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (err: unknown) => ({ resolved: false as const, err }),
  );
  if (outcome.resolved) throw new Error('expected a rejection, got a result');
  if (!(outcome.err instanceof SshError)) throw new Error(`expected an SshError, got ${String(outcome.err)}`);
  return outcome.err;
}

/** A fresh ed25519 key pair no test server knows. */
export function otherKeyPair(): { privateKey: string; publicKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'semtest-key-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    return { privateKey: readFileSync(join(dir, 'k'), 'utf8'), publicKey: readFileSync(join(dir, 'k.pub'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** sha256 (hex) of a local file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(
    createReadStream(path),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done();
      },
    }),
  );
  return hash.digest('hex');
}
