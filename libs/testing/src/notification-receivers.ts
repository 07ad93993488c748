import { once } from 'node:events';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

/** One request an HttpReceiver got. `path` includes the query. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it is not JSON. */
  body: unknown;
}

interface Waiter {
  done: () => boolean;
  resolve: () => void;
}

/** Resolves waiters when what they wait for has happened (checked after every arrival). */
class Arrivals {
  private waiters: Waiter[] = [];

  notify(): void {
    for (const w of this.waiters.filter((x) => x.done())) w.resolve();
    this.waiters = this.waiters.filter((x) => !x.done());
  }

  until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      this.waiters.push({
        done,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/**
 * An HTTP server on loopback that records every request by path and answers 200 (or, for a path given to
 * `failNext`, an error status a number of times first). Stands in for Slack, Telegram, Gotify, ... in tests.
 */
export class HttpReceiver {
  private readonly received: ReceivedRequest[] = [];
  private readonly arrivals = new Arrivals();
  private readonly failures = new Map<string, { status: number; times: number }>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<HttpReceiver> {
    let receiver: HttpReceiver | null = null;
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => receiver?.record(req.method ?? '', req.url ?? '', req.headers, chunks, res));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    receiver = new HttpReceiver(server);
    return receiver;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `times` requests to `path` (path name without query) are answered with `status`. */
  failNext(path: string, status: number, times: number): void {
    this.failures.set(path, { status, times });
  }

  /** Requests whose path (without query) is `path`, in arrival order. */
  requests(path: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path.split('?')[0] === path);
  }

  get all(): readonly ReceivedRequest[] {
    return this.received;
  }

  waitFor(path: string, count = 1, timeoutMs = 30_000): Promise<void> {
    return this.arrivals.until(() => this.requests(path).length >= count, `${count} request(s) to ${path}`, timeoutMs);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    chunks: Buffer[],
    res: ServerResponse,
  ): void {
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    this.received.push({ method, path, headers, body });
    const failure = this.failures.get(path.split('?')[0]);
    if (failure && failure.times > 0) {
      failure.times--;
      res.writeHead(failure.status).end('failing on purpose');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
    this.arrivals.notify();
  }
}

/** One message an SmtpSink accepted. `html`/`text`: the decoded body of a single-part message. */
export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Record<string, string>;
  body: string;
}

function decodeBody(headers: Record<string, string>, raw: string): string {
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding !== 'quoted-printable') return raw;
  const bytes = raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function parseMail(from: string, to: string[], data: string): ReceivedMail {
  const split = data.indexOf('\r\n\r\n');
  const head = split < 0 ? data : data.slice(0, split);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { from, to, headers, body: decodeBody(headers, split < 0 ? '' : data.slice(split + 4)) };
}

/**
 * A minimal SMTP server on loopback (no TLS, no auth) that accepts every message and keeps it. Enough for
 * nodemailer; stands in for the mail relay in tests.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private readonly arrivals = new Arrivals();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: ReturnType<typeof createTcpServer>) {}

  static async start(): Promise<SmtpSink> {
    let sink: SmtpSink | null = null;
    const server = createTcpServer((socket) => sink?.session(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    sink = new SmtpSink(server);
    return sink;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  waitFor(count: number, timeoutMs = 30_000): Promise<void> {
    return this.arrivals.until(() => this.mails.length >= count, `${count} mail(s)`, timeoutMs);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let from = '';
    let to: string[] = [];
    let data: string[] | null = null;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 sink ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === '.') {
            this.mails.push(parseMail(from, to, Buffer.from(data.join('\r\n'), 'latin1').toString('utf8')));
            data = null;
            reply('250 queued');
            this.arrivals.notify();
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250-sink\r\n250 8BITMIME');
        else if (verb === 'HELO' || verb === 'NOOP') reply('250 ok');
        else if (verb === 'RSET') {
          from = '';
          to = [];
          reply('250 ok');
        } else if (verb === 'MAIL') {
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          to = [];
          reply('250 ok');
        } else if (verb === 'RCPT') {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          reply('250 ok');
        } else if (verb === 'DATA') {
          data = [];
          reply('354 go on');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 not implemented');
      }
    });
  }
}
