export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, the text otherwise ('' for empty bodies). */
  body: T;
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as is (not JSON-encoded) when a string. */
  body?: unknown;
}

/**
 * A small HTTP client for e2e tests, as a real client sees the api: a bearer token or a cookie jar (the cookies
 * the server sets are kept and sent back), JSON bodies, no magic.
 */
export class ApiClient {
  private readonly cookies = new Map<string, string>();
  private token: string | null = null;

  constructor(readonly baseUrl: string) {}

  withToken(token: string): ApiClient {
    const c = new ApiClient(this.baseUrl);
    c.token = token;
    return c;
  }

  /** The bearer token this client sends, if any (e.g. to open a WebSocket with it). */
  get bearerToken(): string | null {
    return this.token;
  }

  /** A copy with no credentials at all. */
  anonymous(): ApiClient {
    return new ApiClient(this.baseUrl);
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Logs in with `POST /api/auth/login`; throws unless the server answers 204. Keeps the cookies. */
  async login(auth: string, password: string): Promise<this> {
    const res = await this.post('/api/auth/login', { auth, password });
    if (res.status !== 204) throw new Error(`login as ${auth} failed: ${res.status} ${res.text}`);
    return this;
  }

  /** Creates an API token (`POST /api/user/tokens`) and returns a client that uses it. */
  async tokenClient(): Promise<ApiClient> {
    const res = await this.post<{ id: string }>('/api/user/tokens');
    if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${res.text}`);
    return this.withToken(res.body.id);
  }

  get<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>('GET', path, opts);
  }
  head<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>('HEAD', path, opts);
  }
  post<T = unknown>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('POST', path, { ...opts, body: body ?? {} });
  }
  put<T = unknown>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('PUT', path, { ...opts, body: body ?? {} });
  }
  delete<T = unknown>(path: string, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, opts);
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    if (this.token) headers.authorization ??= `Bearer ${this.token}`;
    if (this.cookies.size && !headers.cookie) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.storeCookie(line);
    const text = method === 'HEAD' ? '' : await res.text();
    let parsed: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('application/json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  private storeCookie(line: string): void {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]).getTime() < Date.now());
    if (!value || expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}
