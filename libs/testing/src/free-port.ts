import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (the kernel picks it by binding port 0). Another process can
 * take it before the caller binds it, so callers that start servers retry on "address in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: the server has no TCP address'));
        return;
      }
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}
