import { SshConnection, SshConnectionPool, SshErrorCode, type SshTarget } from '@semaphore/ssh';
import { freePort, startSshd, type SshdServer } from '@semaphore/testing';
import { runOnHosts, type HostTarget } from './run-on-hosts';

/** Three real sshd servers stand for three hosts; the command fails on the one listening on `failPort`. */
describe('runOnHosts against three loopback sshd servers', () => {
  const servers: SshdServer[] = [];
  let hosts: HostTarget[];
  let pool: SshConnectionPool;

  const targetOf = (s: SshdServer, port = s.port): SshTarget => ({
    host: s.host,
    port,
    username: s.username,
    privateKey: s.privateKey,
    hostKeys: { fingerprints: [s.hostKeyFingerprintSha256] },
    connectTimeoutMs: 5_000,
  });

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) servers.push(await startSshd());
    hosts = servers.map((s, i) => ({ name: `web${i + 1}`, target: targetOf(s) }));
  });

  beforeEach(() => (pool = new SshConnectionPool()));
  afterEach(() => pool.closeAll());
  afterAll(async () => Promise.all(servers.map((s) => s.stop())));

  // SSH_CONNECTION ends with the server's port: the same command behaves differently per host.
  const failOn = (port: number) =>
    `echo "hello from $(echo $SSH_CONNECTION | cut -d' ' -f4)"; printf 'partial'; ` +
    `if [ "$(echo $SSH_CONNECTION | cut -d' ' -f4)" = "${port}" ]; then echo broken >&2; exit 3; fi`;

  it('runs on every host, prefixes lines by host, and fails when more hosts fail than tolerated', async () => {
    const lines: string[] = [];
    const summary = await runOnHosts(hosts, failOn(servers[1].port), {
      pool,
      parallelism: 2,
      tolerateFailures: 0,
      onLine: (host, stream, line) => lines.push(`${host} ${stream} ${line}`),
    });
    expect(summary.ok).toBe(false);
    expect(summary.failed).toBe(1);
    expect(summary.results.map((r) => [r.host, r.code, r.error])).toEqual([
      ['web1', 0, null],
      ['web2', 3, null],
      ['web3', 0, null],
    ]);
    for (const [i, s] of servers.entries()) {
      expect(lines).toContain(`web${i + 1} stdout hello from ${s.port}`);
      expect(lines).toContain(`web${i + 1} stdout partial`);
    }
    expect(lines).toContain('web2 stderr broken');
  });

  it('tolerates the configured number of failures, and reports an unreachable host with a typed error', async () => {
    const closed = await freePort();
    const withDown = [...hosts, { name: 'down', target: targetOf(servers[0], closed) }];
    const summary = await runOnHosts(withDown, failOn(servers[1].port), {
      pool,
      parallelism: 4,
      tolerateFailures: 2,
      onLine: () => undefined,
    });
    expect(summary.ok).toBe(true);
    expect(summary.failed).toBe(2);
    expect(summary.results[3]).toMatchObject({
      host: 'down',
      code: null,
      error: { code: SshErrorCode.ConnectionFailed },
    });
  });

  it('passes the command to the remote shell as written (quotes, pipes), and keeps stderr apart', async () => {
    const lines: string[] = [];
    await runOnHosts(hosts.slice(0, 1), `printf '%s\\n' "it's" | tr a-z A-Z; echo "err line" >&2`, {
      pool,
      parallelism: 1,
      tolerateFailures: 0,
      onLine: (_h, stream, line) => lines.push(`${stream} ${line}`),
    });
    expect(lines.sort()).toEqual(['stderr err line', "stdout IT'S"]);
  });

  it('reuses one connection per host across commands', async () => {
    const opened: string[] = [];
    const counting = new SshConnectionPool(async (t) => {
      opened.push(`${t.port}`);
      return SshConnection.open(t);
    });
    try {
      for (let i = 0; i < 3; i++) {
        await runOnHosts(hosts, 'true', {
          pool: counting,
          parallelism: 3,
          tolerateFailures: 0,
          onLine: () => undefined,
        });
      }
      expect(opened.sort()).toEqual(servers.map((s) => `${s.port}`).sort());
    } finally {
      await counting.closeAll();
    }
  });

  it('ends a command that outlives its timeout with SSH_TIMEOUT, and stops on abort', async () => {
    const timed = await runOnHosts(hosts.slice(0, 1), 'sleep 30', {
      pool,
      parallelism: 1,
      tolerateFailures: 0,
      timeoutMs: 300,
      onLine: () => undefined,
    });
    expect(timed.results[0].error?.code).toBe(SshErrorCode.Timeout);
    const controller = new AbortController();
    const run = runOnHosts(hosts.slice(0, 1), 'echo started; sleep 30', {
      pool,
      parallelism: 1,
      tolerateFailures: 0,
      signal: controller.signal,
      onLine: (_h, _s, line) => line === 'started' && controller.abort(),
    });
    const aborted = await run;
    expect(aborted.ok).toBe(false);
    expect(aborted.results[0].code).not.toBe(0);
    // The remote process group is gone, not left sleeping.
    const found: string[] = [];
    await runOnHosts(hosts.slice(0, 1), "pgrep -f 'sleep 3[0]' || echo none", {
      pool,
      parallelism: 1,
      tolerateFailures: 0,
      onLine: (_h, _s, line) => found.push(line),
    });
    expect(found).toEqual(['none']);
  }, 20_000);
});
