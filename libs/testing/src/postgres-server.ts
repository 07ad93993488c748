import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DatabaseConnectionConfig } from '@semaphore/persistence';
import { freePort } from './free-port';

const run = promisify(execFile);

/** A PostgreSQL server of a test's own (its own data directory and port), which the test may stop and start. */
export interface PostgresServer {
  readonly port: number;
  /** The `postgres` database of this server, as trust-authenticated user `postgres`. */
  readonly connection: DatabaseConnectionConfig;
  /** `pg_ctl stop -m immediate`: the server dies without a checkpoint (a crash), and recovers at the next start. */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data directory. */
  destroy(): Promise<void>;
}

/** The directory of PostgreSQL's server binaries (initdb, pg_ctl), newest version first. */
function binDir(): string {
  for (const version of ['17', '16', '15', '14', '13']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/bootstrap-services.sh)');
}

/**
 * Starts a throw-away PostgreSQL cluster on a free loopback port (initdb with trust authentication). As root, the
 * cluster belongs to the `postgres` system user, since PostgreSQL refuses to run as root.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = await mkdtemp(join(tmpdir(), 'semtest-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const exec = (file: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, file), ...args]) : run(join(bin, file), args);
  if (asRoot) {
    await chmod(dir, 0o755);
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () => {
    await exec('pg_ctl', ['-D', data, '-o', options, '-w', '-t', '30', '-l', join(dir, 'server.log'), 'start']);
  };
  const stop = (mode: 'immediate' | 'fast') => exec('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  await start();
  return {
    port,
    connection: { host: '127.0.0.1', port, username: 'postgres', password: '', database: 'postgres' },
    crash: async () => {
      await stop('immediate');
    },
    start,
    destroy: async () => {
      await stop('fast').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
