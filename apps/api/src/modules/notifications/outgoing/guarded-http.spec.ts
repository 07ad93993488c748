import type { LookupAddress } from 'node:dns';
import { checkUrl, guardedLookup, OutgoingRequestError, redactedTarget } from './guarded-http';

const STRICT = { allowPrivate: false, allowedHosts: [] as string[] };

function lookupWith(addresses: LookupAddress[], policy = STRICT, all = true) {
  const lookup = guardedLookup(policy, async () => addresses);
  return new Promise<{ err: Error | null; result: unknown }>((resolve) =>
    lookup('hooks.example.test', { all, family: 0 }, (err, address) => resolve({ err, result: address })),
  );
}

describe('guardedLookup', () => {
  it('refuses the host when any one of its addresses is not allowed (no partial answer)', async () => {
    const { err, result } = await lookupWith([
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ]);
    expect(err).toBeInstanceOf(OutgoingRequestError);
    expect(err?.message).toBe('refused hooks.example.test: 169.254.169.254 is a metadata address');
    expect((err as OutgoingRequestError).permanent).toBe(true);
    expect(result).toBe('');
  });

  it('hands back exactly the checked addresses', async () => {
    const addresses = [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ];
    expect(await lookupWith(addresses)).toEqual({ err: null, result: addresses });
    expect(await lookupWith(addresses, STRICT, false)).toEqual({ err: null, result: '93.184.216.34' });
  });

  it('a host allowlisted by name is not checked', async () => {
    const policy = { allowPrivate: false, allowedHosts: ['hooks.example.test'] };
    expect((await lookupWith([{ address: '10.0.0.5', family: 4 }], policy)).err).toBeNull();
  });
});

describe('checkUrl', () => {
  it('refuses other schemes and IP literals that are not allowed, without the path in the message', () => {
    expect(() => checkUrl(new URL('file:///etc/passwd'), STRICT)).toThrow('only http and https are allowed');
    expect(() => checkUrl(new URL('http://127.0.0.1:9/bot123:secret/sendMessage'), STRICT)).toThrow(
      'refused http://127.0.0.1:9: 127.0.0.1 is a loopback address',
    );
    expect(() => checkUrl(new URL('http://[::ffff:169.254.169.254]/latest/meta-data'), STRICT)).toThrow(
      'is a metadata address',
    );
    expect(() => checkUrl(new URL('https://hooks.example.test/x'), STRICT)).not.toThrow();
  });

  it('redactedTarget drops path and query', () => {
    expect(redactedTarget(new URL('https://gotify.test:8443/message?token=abc'))).toBe('https://gotify.test:8443');
  });
});
