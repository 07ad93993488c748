import { startApiStack, type ApiStack } from '@semaphore/testing';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

describe('OpenAPI document', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('is generated from the controllers and served as JSON at /api/docs-json', async () => {
    const res = await stack.client().get<OpenApiDocument>('/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(res.body.paths);
    for (const path of ['/api/ping', '/api/auth/login', '/api/user/tokens', '/api/user/tokens/{token_id}']) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(res.body.paths['/api/auth/login'])).toEqual(expect.arrayContaining(['get', 'post']));
  });

  it('serves the browsable UI at /api/docs', async () => {
    const res = await stack.client().get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('swagger');
  });

  it('contains no secret material in any example', async () => {
    const res = await stack.client().get('/api/docs-json');
    expect(res.text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|"password":\s*"[^"]+"|"private_key":\s*"[^"]+"/);
  });
});
