import type { IncomingMessage } from 'node:http';

/** After a refused upload, at most this much more of its body is read (and dropped) before the connection is cut. */
const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

/** Whether the request declares an `application/octet-stream` body (parameters allowed). */
export function isOctetStream(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0].trim().toLowerCase() === 'application/octet-stream';
}

/** The declared `Content-Length`, or null (chunked). */
export function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  return Number(raw);
}

/**
 * Reads and drops what is left of a refused upload's body, so that the client, still sending, gets to read the
 * error answer instead of a connection reset (RFC 9112 §9.6); past DISCARD_LIMIT_BYTES the connection is closed.
 */
export function discardBody(req: IncomingMessage): void {
  if (req.readableEnded || req.destroyed) return;
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_LIMIT_BYTES) req.destroy();
  });
  req.resume();
}
