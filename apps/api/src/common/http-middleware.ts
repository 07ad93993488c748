import type { NextFunction, Request, Response } from 'express';

/** `/api/user/` is `/api/user`, as upstream strips trailing slashes before routing. */
export function stripTrailingSlash(req: Request, _res: Response, next: NextFunction): void {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  if (path.length > 1 && path.endsWith('/')) {
    req.url = path.replace(/\/+$/, '') + (q === -1 ? '' : req.url.slice(q));
  }
  next();
}

/** Body parser failures (malformed JSON, too large, bad charset) become 4xx `{"error": ...}`, never a 500. */
export function bodyErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const e = err as { type?: string; status?: number; limit?: number };
  if (!e || typeof e !== 'object' || !e.type) return next(err);
  if (e.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'request body is not valid JSON' });
  } else if (e.type === 'entity.too.large') {
    res.status(413).json({ error: `request body is larger than ${e.limit ?? 'the limit'} bytes` });
  } else if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
    res.status(415).json({ error: 'request body must be UTF-8 JSON' });
  } else {
    res.status(e.status && e.status >= 400 && e.status < 500 ? e.status : 400).json({ error: 'invalid request body' });
  }
}
