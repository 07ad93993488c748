/** What pino-http's standard request serializer hands on (the parts used here). */
export interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  remoteAddress?: string;
}

/**
 * The request fields of a request log line: id, method, URL, client address and user agent. Headers are left out
 * (credentials and cookies among them): every request is logged, so each line stays small and cheap to write.
 */
export function requestLogFields(req: SerializedRequest): Record<string, unknown> {
  const agent = req.headers?.['user-agent'];
  return {
    id: req.id,
    method: req.method,
    url: req.url,
    remoteAddress: req.remoteAddress,
    ...(typeof agent === 'string' ? { userAgent: agent.slice(0, 200) } : {}),
  };
}

/** The response fields of a request log line: the status code only. */
export function responseLogFields(res: { statusCode?: number }): Record<string, unknown> {
  return { statusCode: res.statusCode };
}
