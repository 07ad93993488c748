import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED, redactPaths } from './redaction';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
  };
}

describe('log redaction', () => {
  it('hides credentials in headers and secret fields at several depths', () => {
    const { stream, lines } = capture();
    const log = pino({ redact: { paths: redactPaths(), censor: REDACTED } }, stream);
    log.info(
      {
        req: { headers: { authorization: 'Bearer abc', cookie: 'semaphore=x', 'x-runner-token': 'rt', host: 'h' } },
        password: 'p1',
        key: { ssh: { private_key: '-----BEGIN', passphrase: 'pp', login: 'root' } },
        runner: { token: 't0k' },
        body: { nested: { deeper: { secret: 's' } } },
      },
      'hello',
    );
    const [line] = lines();
    const text = JSON.stringify(line);
    for (const secret of ['Bearer abc', 'semaphore=x', '"rt"', 'p1', '-----BEGIN', '"pp"', 't0k', '"s"']) {
      expect(text).not.toContain(secret);
    }
    expect(line).toMatchObject({
      req: { headers: { authorization: REDACTED, cookie: REDACTED, host: 'h' } },
      key: { ssh: { login: 'root', private_key: REDACTED } },
      msg: 'hello',
    });
  });
});
