import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

export interface StreamAnswer {
  status: number;
  text: string;
}

/**
 * Sends `body` as the body of a `method` request to `url`, streamed (never held in memory), and resolves with the
 * answer. There is no overall deadline: the request fails only when nothing moves for `idleTimeoutMs`. An answer
 * that comes before the body is sent (a refusal) stops the upload and is what resolves.
 */
export function sendStream(
  method: string,
  url: URL,
  headers: OutgoingHttpHeaders,
  body: Readable,
  idleTimeoutMs: number,
): Promise<StreamAnswer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<StreamAnswer>((resolve, reject) => {
    let answered = false;
    const req = send(url, { method, headers, timeout: idleTimeoutMs });
    const fail = (err: Error) => {
      body.destroy();
      if (!answered) reject(err);
    };
    req.on('timeout', () => req.destroy(new Error(`no progress for ${idleTimeoutMs} ms`)));
    req.on('error', fail);
    body.on('error', (err) => req.destroy(err));
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      body.unpipe(req);
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        // Still sending (an early refusal): this connection cannot be reused.
        if (!req.writableFinished) req.destroy();
        body.destroy();
      });
    });
    body.pipe(req);
  });
}
