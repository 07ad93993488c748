import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SshRetryPolicy } from '@semaphore/models';
import { startSshd, type SshdServer } from '@semaphore/testing';
import {
  PauseGate,
  SshConnection,
  SshErrorCode,
  downloadFile,
  uploadFile,
  withRetry,
  type SshError,
  type SshTarget,
} from '../index';
import { sha256File, targetOf } from '../testing/fixtures';

const host = '127.0.0.1';
const MB = 1024 * 1024;
const SIZE = 200 * MB + 12_345;
const LONG = 300_000;

/** `size` pseudo-random bytes (AES-CTR over zeros: fast, never all in memory); resolves to their sha256. */
async function writePseudoRandomFile(path: string, size: number): Promise<string> {
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zeros = Buffer.alloc(MB);
  const hash = createHash('sha256');
  let left = size;
  const source = new Readable({
    read() {
      if (left === 0) return this.push(null);
      const n = Math.min(left, zeros.length);
      left -= n;
      const chunk = cipher.update(zeros.subarray(0, n));
      hash.update(chunk);
      this.push(chunk);
    },
  });
  await pipeline(source, createWriteStream(path));
  return hash.digest('hex');
}

describe('large SFTP transfers against a real OpenSSH sshd', () => {
  let sshd: SshdServer;
  let target: SshTarget;
  let work: string;
  let big: string;
  let bigSum: string;

  beforeAll(async () => {
    sshd = await startSshd();
    target = targetOf(sshd);
    work = mkdtempSync(join(tmpdir(), 'semtest-sftp-large-'));
    big = join(work, 'big.bin');
    bigSum = await writePseudoRandomFile(big, SIZE);
  }, LONG);

  afterAll(async () => {
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it(
    'uploads and downloads a 200 MB file, streamed, byte for byte',
    async () => {
      const conn = await SshConnection.open(target);
      try {
        const sftp = await conn.sftp();
        const up = await uploadFile(sftp, big, join(work, 'up.bin'), { host });
        expect(up).toEqual({ bytes: SIZE, resumedFrom: 0 });
        expect(await sha256File(join(work, 'up.bin'))).toBe(bigSum);
        const down = await downloadFile(sftp, join(work, 'up.bin'), join(work, 'down.bin'), { host });
        expect(down).toEqual({ bytes: SIZE, resumedFrom: 0 });
        expect(await sha256File(join(work, 'down.bin'))).toBe(bigSum);
      } finally {
        conn.close();
        rmSync(join(work, 'up.bin'), { force: true });
        rmSync(join(work, 'down.bin'), { force: true });
      }
    },
    LONG,
  );

  it(
    'finishes an upload cut off by an sshd crash: withRetry reconnects after the restart and resumes from the kept part',
    async () => {
      const remote = join(work, 'resumed.bin');
      const policy: SshRetryPolicy = {
        attempts: 3,
        backoffMs: 10,
        backoffFactor: 2,
        retryOn: ['SSH_CONNECTION_FAILED'],
      };
      const pause = new PauseGate();
      let sizeAfterCrash = -1;
      let restarted: Promise<void> | null = null;
      const crashMidway = async () => {
        // Held between two chunks, the transfer is mid-file when sshd and all its sessions are killed.
        await sshd.crash();
        sizeAfterCrash = statSync(remote).size;
        await sshd.restart();
        pause.resume();
      };
      const retried: SshError[] = [];
      const attempts: number[] = [];
      const result = await withRetry(
        policy,
        async (attempt) => {
          attempts.push(attempt);
          const conn = await SshConnection.open(target);
          try {
            const sftp = await conn.sftp();
            return await uploadFile(sftp, big, remote, {
              host,
              resume: true,
              pause: attempt === 1 ? pause : undefined,
              onProgress: (p) => {
                if (attempt !== 1 || restarted || p.bytesDone < 40 * MB) return;
                pause.pause();
                restarted = crashMidway();
              },
            });
          } finally {
            conn.close();
          }
        },
        {
          onRetry: ({ error }) => retried.push(error),
          // The wait before the next attempt lasts until sshd listens again.
          sleep: async () => {
            await restarted;
          },
        },
      );
      expect(attempts).toEqual([1, 2]);
      expect(retried.map((e) => e.code)).toEqual([SshErrorCode.ConnectionFailed]);
      expect(sizeAfterCrash).toBeGreaterThan(0);
      expect(sizeAfterCrash).toBeLessThan(SIZE);
      expect(result).toEqual({ bytes: SIZE, resumedFrom: sizeAfterCrash });
      expect(await sha256File(remote)).toBe(bigSum);
    },
    LONG,
  );
});
