import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostAllowedByName, refusalReason, type AddressPolicy } from './address-policy';

/** Where a request went, without path or query (they often carry the webhook's secret). */
export function redactedTarget(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** A refused or failed outgoing request. `permanent`: retrying cannot help (refused address, 4xx answer). */
export class OutgoingRequestError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'OutgoingRequestError';
  }
}

export interface OutgoingResponse {
  status: number;
}

export interface PostJsonOptions {
  policy: AddressPolicy;
  timeoutMs: number;
  /** Test seam: the resolver (default dns.lookup with all: true). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

const defaultResolve = (hostname: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/**
 * A `lookup` for http(s).request that resolves every address of the host, refuses the connection when any one is
 * not allowed, and hands back only checked addresses: the socket connects to what was checked (no DNS rebinding
 * between the check and the connect).
 */
export function guardedLookup(
  policy: AddressPolicy,
  resolve: (hostname: string) => Promise<LookupAddress[]> = defaultResolve,
): LookupFunction {
  return (hostname, options, callback) => {
    const family = typeof options.family === 'number' ? options.family : 0;
    resolve(hostname).then(
      (found) => {
        const addresses = found.filter((a) => family === 0 || a.family === family);
        if (addresses.length === 0) return callback(new OutgoingRequestError(`${hostname} has no address`, false), '');
        if (!hostAllowedByName(hostname, policy)) {
          for (const a of addresses) {
            const reason = refusalReason(a.address, policy);
            if (reason) return callback(new OutgoingRequestError(`refused ${hostname}: ${reason}`, true), '');
          }
        }
        if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, ''),
    );
  };
}

/** Checks the scheme, and an IP literal host at once (no lookup happens for those). */
export function checkUrl(url: URL, policy: AddressPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutgoingRequestError(`refused ${url.protocol} URL: only http and https are allowed`, true);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !hostAllowedByName(host, policy)) {
    const reason = refusalReason(host, policy);
    if (reason) throw new OutgoingRequestError(`refused ${redactedTarget(url)}: ${reason}`, true);
  }
}

/**
 * POSTs `body` as JSON to `url` through the address guard, with one timeout for the whole exchange. Redirects are
 * not followed. A non-2xx answer is an error (permanent for 4xx other than 408 and 429).
 */
export function postJson(url: URL, body: unknown, options: PostJsonOptions): Promise<OutgoingResponse> {
  checkUrl(url, options.policy);
  const payload = Buffer.from(JSON.stringify(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<OutgoingResponse>((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': payload.length, 'user-agent': 'semaphore' },
      lookup: guardedLookup(options.policy, options.resolve),
      agent: false,
    });
    const timer = setTimeout(
      () =>
        req.destroy(
          new OutgoingRequestError(`no answer from ${redactedTarget(url)} in ${options.timeoutMs} ms`, false),
        ),
      options.timeoutMs,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err instanceof OutgoingRequestError ? err : new OutgoingRequestError(describe(err, url), false));
    };
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) res.destroy();
      });
      res.on('error', () => undefined);
      res.on('close', () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve({ status });
        const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
        reject(new OutgoingRequestError(`${redactedTarget(url)} answered ${status}`, permanent));
      });
    });
    req.end(payload);
  });
}

function describe(err: Error, url: URL): string {
  const code = (err as NodeJS.ErrnoException).code;
  return `cannot reach ${redactedTarget(url)}: ${code ?? err.message}`;
}
