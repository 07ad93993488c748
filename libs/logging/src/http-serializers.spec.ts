import { requestLogFields, responseLogFields } from './http-serializers';

describe('request log fields', () => {
  it('keeps id, method, url, address and user agent, and no header with credentials', () => {
    const fields = requestLogFields({
      id: 'r-1',
      method: 'POST',
      url: '/api/project/1/tasks',
      remoteAddress: '127.0.0.1',
      headers: { authorization: 'Bearer abc', cookie: 'semaphore=x', 'x-runner-token': 'rt', 'user-agent': 'curl/8' },
    });
    expect(fields).toEqual({
      id: 'r-1',
      method: 'POST',
      url: '/api/project/1/tasks',
      remoteAddress: '127.0.0.1',
      userAgent: 'curl/8',
    });
    expect(JSON.stringify(fields)).not.toMatch(/abc|semaphore=x|"rt"/);
  });

  it('bounds the user agent and leaves it out when absent', () => {
    expect(
      requestLogFields({ method: 'GET', url: '/', headers: { 'user-agent': 'x'.repeat(500) } }).userAgent,
    ).toHaveLength(200);
    expect(requestLogFields({ method: 'GET', url: '/' })).not.toHaveProperty('userAgent');
  });

  it('keeps only the status code of a response', () => {
    expect(responseLogFields({ statusCode: 201, headers: { 'set-cookie': 's' } } as never)).toEqual({
      statusCode: 201,
    });
  });
});
