import { randomBytes } from 'node:crypto';
import { PipelinedSftpReadStream, type SftpReadPort } from './sftp-read-stream';

type ReadCallback = (err: Error | undefined, bytesRead: number) => void;

interface PendingRead {
  position: number;
  length: number;
  answer: (maxBytes?: number) => void;
  fail: (err: Error) => void;
}

/** An SFTP session over an in-memory file whose READ answers the test releases, in any order and any length. */
class ScriptedSession {
  readonly pending: PendingRead[] = [];
  closed = 0;
  maxInFlight = 0;
  openError: Error | null = null;

  constructor(private readonly content: Buffer) {}

  port(): SftpReadPort {
    const port = {
      open: (_path: string, _flags: string, cb: (err: Error | undefined, handle: Buffer) => void) => {
        setImmediate(() => cb(this.openError ?? undefined, Buffer.from('h1')));
      },
      read: (_h: Buffer, buffer: Buffer, offset: number, length: number, position: number, cb: ReadCallback) => {
        const entry: PendingRead = {
          position,
          length,
          answer: (maxBytes = length) => {
            this.pending.splice(this.pending.indexOf(entry), 1);
            const from = Math.min(position, this.content.length);
            const n = this.content.copy(
              buffer,
              offset,
              from,
              Math.min(from + Math.min(length, maxBytes), this.content.length),
            );
            cb(undefined, n);
          },
          fail: (err) => {
            this.pending.splice(this.pending.indexOf(entry), 1);
            cb(err, 0);
          },
        };
        this.pending.push(entry);
        this.maxInFlight = Math.max(this.maxInFlight, this.pending.length);
      },
      close: (_h: Buffer, cb: (err?: Error) => void) => {
        this.closed++;
        setImmediate(() => cb());
      },
    };
    return port as unknown as SftpReadPort;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function collect(stream: PipelinedSftpReadStream): Promise<Buffer> {
  return stream.toArray().then((chunks: Buffer[]) => Buffer.concat(chunks));
}

/** Answers whatever is pending with `pick` until the stream is done. */
async function serve(session: ScriptedSession, done: Promise<unknown>, pick: (p: PendingRead[]) => void) {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    await tick();
    if (session.pending.length > 0) pick(session.pending);
  }
}

describe('PipelinedSftpReadStream', () => {
  it('keeps several reads in flight and emits the file in order when answers come back reversed', async () => {
    const content = randomBytes(10 * 1000 + 7);
    const session = new ScriptedSession(content);
    const stream = new PipelinedSftpReadStream(session.port(), '/f', { chunkSize: 1000, depth: 4 });
    const result = collect(stream);
    await serve(session, result, (p) => [...p].reverse().forEach((r) => r.answer()));
    expect((await result).equals(content)).toBe(true);
    expect(session.maxInFlight).toBe(4);
    expect(session.closed).toBe(1);
  });

  it('asks again for the rest of a short answer before emitting anything after it', async () => {
    const content = randomBytes(5000);
    const session = new ScriptedSession(content);
    const stream = new PipelinedSftpReadStream(session.port(), '/f', { chunkSize: 1000, depth: 3 });
    const result = collect(stream);
    let shortened = 0;
    await serve(session, result, (p) => {
      // The last in flight answers in full, the first with at most 300 bytes (never 0, which means end of file).
      p[p.length - 1].answer();
      if (p.length > 0) {
        shortened++;
        p[0].answer(300);
      }
    });
    expect((await result).equals(content)).toBe(true);
    expect(shortened).toBeGreaterThan(3);
  });

  it('starts at an offset (a resumed download)', async () => {
    const content = randomBytes(4096);
    const session = new ScriptedSession(content);
    const result = collect(new PipelinedSftpReadStream(session.port(), '/f', { start: 1500, chunkSize: 512 }));
    await serve(session, result, (p) => p[0].answer());
    expect((await result).equals(content.subarray(1500))).toBe(true);
  });

  it('ends an empty file with no data', async () => {
    const session = new ScriptedSession(Buffer.alloc(0));
    const result = collect(new PipelinedSftpReadStream(session.port(), '/f', { chunkSize: 512 }));
    await serve(session, result, (p) => p[0].answer());
    expect((await result).length).toBe(0);
  });

  it('fails with the session error of a read and closes the handle', async () => {
    const session = new ScriptedSession(randomBytes(8192));
    const result = collect(new PipelinedSftpReadStream(session.port(), '/f', { chunkSize: 1024, depth: 2 }));
    const failure = Object.assign(new Error('Permission denied'), { code: 3 });
    await serve(session, result, (p) => (p[0].position === 2048 ? p[0].fail(failure) : p[0].answer()));
    await expect(result).rejects.toBe(failure);
    expect(session.closed).toBe(1);
  });

  it('fails with the open error and sends no read', async () => {
    const session = new ScriptedSession(randomBytes(10));
    session.openError = Object.assign(new Error('No such file'), { code: 2 });
    await expect(collect(new PipelinedSftpReadStream(session.port(), '/f'))).rejects.toBe(session.openError);
    expect(session.maxInFlight).toBe(0);
    expect(session.closed).toBe(0);
  });

  it('sends no new request while the consumer does not read', async () => {
    const content = randomBytes(64 * 1024);
    const session = new ScriptedSession(content);
    const stream = new PipelinedSftpReadStream(session.port(), '/f', { chunkSize: 1024, depth: 4 });
    stream.on('readable', () => undefined); // starts reading, never consumes
    let answered = 0;
    for (let i = 0; i < 50; i++) {
      await tick();
      while (session.pending.length > 0) {
        session.pending[0].answer();
        answered++;
      }
    }
    // The stream's buffer (2 chunks) plus one window of requests, far from the 64 chunks of the file.
    expect(answered).toBeLessThanOrEqual(8);
    stream.destroy();
    await tick();
    expect(session.closed).toBe(1);
  });
});
