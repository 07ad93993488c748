import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import {
  AppId,
  SftpOperation,
  TaskStatus,
  remoteEntryNameProblem,
  remotePathProblem,
  workspacePathProblem,
  type JobSpec,
  type SshOperationSettings,
} from '@semaphore/models';
import {
  SshConnectionPool,
  SshError,
  SshErrorCode,
  applySync,
  shellQuote,
  copyRemote,
  downloadPath,
  listRemote,
  planSync,
  uploadPath,
  withRetry,
  type AcceptedHostKey,
  type FileTransferOptions,
  type PauseGate,
  type SshConnection,
} from '@semaphore/ssh';
import { JobErrorCode, JobPrepareError } from '../job/job-errors';
import type { JobEvents, JobResult } from '../job/job-events';
import { realPathInside } from '../job/path-inside';
import { InventoryParseError, inventoryFormatOf, parseInventory, selectHosts } from './inventory-hosts';
import { ProgressAggregate } from './progress-aggregate';
import { forEachHost, hostError, runOnHosts, type HostTarget } from './run-on-hosts';
import { HostConfigError, hostTarget } from './ssh-hosts';

/** Where downloads and listings go so that the api can serve them after the task (the runner uploads them). */
export interface ArtifactPort {
  upload(path: string, file: string): Promise<void>;
}

/** accept-new: records a trusted-on-first-use host key (a known_hosts line) for later runs of the project. */
export interface HostKeyRecorder {
  record(line: string): Promise<void>;
}

export interface SshOperationContext {
  spec: JobSpec;
  settings: SshOperationSettings;
  repoDir: string;
  /** The inventory file installed by the job (static text written out, or a file of a repository). */
  inventoryPath: string | null;
  /** An empty directory of the workspace for downloads and listings. */
  artifactsDir: string;
  events: JobEvents;
  signal: AbortSignal;
  pause: PauseGate;
  artifacts?: ArtifactPort;
  hostKeys?: HostKeyRecorder;
  /** Tests: the connection pool (defaults to a fresh one, closed at the end). */
  pool?: SshConnectionPool;
}

interface HostOutcome {
  host: string;
  ok: boolean;
  detail: string;
  error: { code: string; message: string } | null;
}

/**
 * Runs an `ssh` or `sftp` template on the hosts of its inventory (or the `limit` subset): bounded parallelism, one
 * connection per host, per-host retries of the retryable failures (a retried transfer resumes), per-host lines and a
 * summary. The task fails when more hosts fail than the template tolerates; its error code is the first failed
 * host's.
 */
export async function runSshOperation(ctx: SshOperationContext): Promise<JobResult> {
  const hosts = await resolveHosts(ctx);
  const pool = ctx.pool ?? new SshConnectionPool();
  const { events, settings } = ctx;
  events.log(`${hosts.length} host(s): ${hosts.map((h) => h.name).join(', ')}`);
  try {
    const outcomes =
      ctx.spec.app === AppId.Ssh ? await runCommand(ctx, hosts, pool) : await runTransfers(ctx, hosts, pool);
    if (ctx.signal.aborted) return { status: TaskStatus.Stopped };
    const failed = outcomes.filter((o) => !o.ok);
    for (const o of outcomes) events.log(`${o.host}: ${o.ok ? 'ok' : 'FAILED'} (${o.detail})`);
    const tolerated = Math.min(failed.length, settings.tolerateFailures);
    events.log(
      `Summary: ${outcomes.length} host(s), ${outcomes.length - failed.length} ok, ${failed.length} failed` +
        (settings.tolerateFailures > 0 ? ` (${settings.tolerateFailures} tolerated)` : ''),
    );
    if (failed.length <= settings.tolerateFailures) {
      if (tolerated > 0) events.log(`${tolerated} failure(s) within the tolerated count: the task succeeds`);
      return { status: TaskStatus.Success };
    }
    const first = failed[0];
    return { status: TaskStatus.Error, errorCode: first.error?.code ?? SshErrorCode.CommandFailed };
  } finally {
    if (!ctx.pool) await pool.closeAll();
  }
}

async function resolveHosts(ctx: SshOperationContext): Promise<HostTarget[]> {
  const inv = ctx.spec.inventory;
  if (!inv || !ctx.inventoryPath) throw new JobPrepareError(JobErrorCode.NoHosts, 'the template has no inventory');
  const format = inv.type === 'static-yaml' ? 'yaml' : inv.type === 'static' ? 'ini' : inventoryFormatOf(inv.inventory);
  let parsed;
  try {
    parsed = parseInventory(await readFile(ctx.inventoryPath, 'utf8'), format);
  } catch (err) {
    if (err instanceof InventoryParseError) throw new JobPrepareError(JobErrorCode.InvalidHost, err.message);
    throw err;
  }
  const selected = selectHosts(parsed, ctx.spec.limit);
  if (selected.length === 0) {
    const why = ctx.spec.limit ? `no host of the inventory matches the limit "${ctx.spec.limit}"` : 'no hosts';
    throw new JobPrepareError(JobErrorCode.NoHosts, `the inventory has ${why}`);
  }
  try {
    return selected.map((h) =>
      hostTarget(h, {
        key: inv.sshKey,
        knownHosts: inv.knownHosts ?? [],
        hostKeyMode: ctx.settings.hostKeyMode,
        connectTimeoutMs: ctx.settings.connectTimeoutMs,
        onAccepted: (host, port, key) => recordAccepted(ctx, host, port, key),
      }),
    );
  } catch (err) {
    if (err instanceof HostConfigError) throw new JobPrepareError(JobErrorCode.InvalidHost, err.message);
    throw err;
  }
}

function recordAccepted(ctx: SshOperationContext, host: string, port: number, key: AcceptedHostKey): void {
  const name = port === 22 ? host : `[${host}]:${port}`;
  ctx.events.log(`Accepted the new host key of ${name} (accept_new): ${key.keyType} ${key.fingerprint}`);
  const line = `${name} ${key.keyType} ${key.keyBase64}`;
  void ctx.hostKeys?.record(line).catch((err: unknown) => {
    ctx.events.log(`Could not record the host key of ${name}: ${err instanceof Error ? err.message : String(err)}`);
  });
}

/** A repository path of the template, checked again and resolved without leaving the checkout. */
async function repositoryPath(repoDir: string, path: string, field: string): Promise<string> {
  const problem = workspacePathProblem(path);
  if (problem) throw new JobPrepareError(JobErrorCode.SourceNotFound, `${field} ${problem}`);
  const real = await realPathInside(repoDir, path);
  if (real === 'missing')
    throw new JobPrepareError(JobErrorCode.SourceNotFound, `${field} ${path} is not in the repository`);
  if (real === 'outside')
    throw new JobPrepareError(JobErrorCode.SourceNotFound, `${field} ${path} leads outside the repository`);
  return real;
}

function remotePath(path: string, field: string): string {
  const problem = remotePathProblem(path);
  if (problem) throw new JobPrepareError(JobErrorCode.SourceNotFound, `${field} ${problem}`);
  return path;
}

/**
 * The script for `/bin/sh -s` on stdin: the template environment exported first, then the command or the repository
 * script. Nothing of it appears on a command line (SECURITY.md §4): the remote process list shows `/bin/sh -s`.
 */
async function scriptOf(ctx: SshOperationContext): Promise<string> {
  const { settings, spec } = ctx;
  const body =
    settings.script !== ''
      ? await readFile(await repositoryPath(ctx.repoDir, settings.script, 'ssh_options.script'), 'utf8')
      : settings.command;
  const exports = Object.entries(spec.env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  return `${exports.join('\n')}${exports.length ? '\n' : ''}${body}\n`;
}

async function runCommand(ctx: SshOperationContext, hosts: HostTarget[], pool: SshConnectionPool) {
  const { settings, events } = ctx;
  const stdin = await scriptOf(ctx);
  const what = settings.script !== '' ? `script ${settings.script}` : 'the command';
  events.log(`Running ${what} on ${hosts.length} host(s), ${Math.min(settings.parallelism, hosts.length)} at a time`);
  const summary = await runOnHosts(hosts, '/bin/sh -s', {
    pool,
    parallelism: settings.parallelism,
    tolerateFailures: settings.tolerateFailures,
    signal: ctx.signal,
    timeoutMs: settings.commandTimeoutMs || undefined,
    idleTimeoutMs: settings.idleTimeoutMs || undefined,
    stdin,
    retry: settings.retry,
    onLine: (host, _stream, line) => events.log(`[${host}] ${line}`),
    onRetry: (host, info) => logRetry(events, host, settings, info),
  });
  const byHost = new Map(summary.results.map((r) => [r.host, r]));
  return hosts.map((h): HostOutcome => {
    const r = byHost.get(h.name);
    if (!r) return { host: h.name, ok: false, detail: 'not run (stopped)', error: null };
    const tries = r.attempts > 1 ? `, ${r.attempts} attempts` : '';
    const secs = `${(r.durationMs / 1000).toFixed(1)} s`;
    if (r.error)
      return { host: h.name, ok: false, detail: `${r.error.code}: ${r.error.message}${tries}`, error: r.error };
    return {
      host: h.name,
      ok: r.code === 0,
      detail: `exit ${r.code ?? 'signal'}, ${secs}${tries}`,
      error: r.code === 0 ? null : { code: SshErrorCode.CommandFailed, message: `exit ${r.code ?? 'signal'}` },
    };
  });
}

function logRetry(
  events: JobEvents,
  host: string,
  settings: SshOperationSettings,
  info: { attempt: number; error: SshError; delayMs: number },
): void {
  events.log(
    `[${host}] attempt ${info.attempt} of ${settings.retry.attempts} failed (${info.error.code}: ${info.error.message}); ` +
      `retrying in ${(info.delayMs / 1000).toFixed(1)} s`,
  );
}

async function runTransfers(ctx: SshOperationContext, hosts: HostTarget[], pool: SshConnectionPool) {
  const { settings, events } = ctx;
  const operation = settings.operation ?? SftpOperation.List;
  await preflight(ctx, operation, hosts);
  const aggregate = new ProgressAggregate(
    (p) => events.progress?.(p),
    () => ctx.pause.paused,
  );
  const unsubscribe = ctx.pause.onChange((paused) => {
    events.log(paused ? 'Transfer paused' : 'Transfer resumed');
    aggregate.flush();
  });
  try {
    const outcomes = await forEachHost(hosts, settings.parallelism, ctx.signal, async (h): Promise<HostOutcome> => {
      const started = Date.now();
      let attempts = 0;
      try {
        const detail = await withRetry(
          settings.retry,
          async (attempt) => {
            attempts = attempt;
            const conn = await pool.get(h.target);
            const sftp = await conn.sftp();
            const opts: FileTransferOptions = {
              host: h.name,
              resume: attempt > 1,
              signal: ctx.signal,
              pause: ctx.pause,
              idleTimeoutMs: settings.idleTimeoutMs || undefined,
              onProgress: (p) => aggregate.update(h.name, p),
            };
            return withTimeout(settings.commandTimeoutMs, ctx.signal, (signal) =>
              transferOnHost(ctx, operation, h, conn, sftp, { ...opts, signal }),
            );
          },
          { signal: ctx.signal, onRetry: (info) => logRetry(events, h.name, settings, info) },
        );
        const tries = attempts > 1 ? `, ${attempts} attempts` : '';
        return {
          host: h.name,
          ok: true,
          detail: `${detail}, ${((Date.now() - started) / 1000).toFixed(1)} s${tries}`,
          error: null,
        };
      } catch (err) {
        const error = err instanceof JobPrepareError ? { code: err.code, message: err.message } : hostError(err);
        const tries = attempts > 1 ? `, ${attempts} attempts` : '';
        return { host: h.name, ok: false, detail: `${error.code}: ${error.message}${tries}`, error };
      }
    });
    aggregate.flush();
    if (operation === SftpOperation.Download || operation === SftpOperation.List) await publishArtifacts(ctx);
    return outcomes.map((o, i) => o ?? { host: hosts[i].name, ok: false, detail: 'not run (stopped)', error: null });
  } finally {
    unsubscribe();
  }
}

/** The checks that do not need a connection, once for all hosts: a bad template fails before anything is sent. */
async function preflight(ctx: SshOperationContext, operation: SftpOperation, hosts: HostTarget[]): Promise<void> {
  const { settings } = ctx;
  if (operation === SftpOperation.Upload || operation === SftpOperation.Sync) {
    await repositoryPath(ctx.repoDir, settings.source, 'ssh_options.source');
  } else {
    remotePath(settings.source, 'ssh_options.source');
  }
  if (operation === SftpOperation.Upload || operation === SftpOperation.Sync || operation === SftpOperation.Copy) {
    remotePath(settings.destination, 'ssh_options.destination');
  }
  if (operation === SftpOperation.Download) {
    const problem = workspacePathProblem(settings.destination);
    if (problem) throw new JobPrepareError(JobErrorCode.SourceNotFound, `ssh_options.destination ${problem}`);
  }
  if (operation === SftpOperation.Download || operation === SftpOperation.List) {
    for (const h of hosts) hostArtifactDir(ctx, h);
  }
}

/** Runs `work` with a signal that also aborts after `ms` (0: no limit); the timeout becomes SSH_TIMEOUT. */
async function withTimeout<T>(ms: number, outer: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (!ms) return work(outer);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  outer.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  try {
    return await work(controller.signal);
  } catch (err) {
    if (timedOut)
      throw new SshError(SshErrorCode.Timeout, `the transfer did not finish within ${ms / 1000} s`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onAbort);
  }
}

type Sftp = Awaited<ReturnType<SshConnection['sftp']>>;

async function transferOnHost(
  ctx: SshOperationContext,
  operation: SftpOperation,
  h: HostTarget,
  conn: SshConnection,
  sftp: Sftp,
  opts: FileTransferOptions,
): Promise<string> {
  const { settings, events, spec } = ctx;
  const log = (line: string) => events.log(`[${h.name}] ${line}`);
  switch (operation) {
    case SftpOperation.Upload: {
      const local = await repositoryPath(ctx.repoDir, settings.source, 'ssh_options.source');
      const dest = remotePath(settings.destination, 'ssh_options.destination');
      if (!opts.resume) log(`uploading ${settings.source} to ${dest}`);
      const r = await uploadPath(sftp, local, dest, { ...opts, verifyWith: conn, localRoot: ctx.repoDir });
      return `${r.files} file(s), ${r.bytes} bytes uploaded${r.resumedFrom ? `, resumed from ${r.resumedFrom}` : ''}`;
    }
    case SftpOperation.Sync: {
      const local = await repositoryPath(ctx.repoDir, settings.source, 'ssh_options.source');
      const dest = remotePath(settings.destination, 'ssh_options.destination');
      const plan = await planSync(sftp, local, dest, {
        compare: settings.compare,
        deleteExtraneous: settings.deleteExtraneous,
        host: h.name,
        checksumWith: conn,
      });
      for (const f of plan.upload)
        log(`${spec.dryRun ? 'would upload' : 'upload'} ${f.path} (${f.reason}, ${f.bytes} bytes)`);
      for (const p of plan.delete) log(`${spec.dryRun ? 'would delete' : 'delete'} ${p}`);
      const counts = `${plan.upload.length} to upload, ${plan.delete.length} to delete, ${plan.unchanged} unchanged`;
      if (spec.dryRun) return `dry run: ${counts}`;
      await applySync(sftp, local, dest, plan, opts);
      return `synced: ${counts}`;
    }
    case SftpOperation.Download: {
      const src = remotePath(settings.source, 'ssh_options.source');
      const problem = workspacePathProblem(settings.destination);
      if (problem) throw new JobPrepareError(JobErrorCode.SourceNotFound, `ssh_options.destination ${problem}`);
      const local = join(hostArtifactDir(ctx, h), settings.destination);
      await mkdir(dirname(local), { recursive: true, mode: 0o700 });
      if (!opts.resume) log(`downloading ${src} to the task artifacts (${h.name}/${settings.destination})`);
      const r = await downloadPath(sftp, src, local, { ...opts, localRoot: ctx.artifactsDir });
      return `${r.files} file(s), ${r.bytes} bytes downloaded${r.resumedFrom ? `, resumed from ${r.resumedFrom}` : ''}`;
    }
    case SftpOperation.List: {
      const src = remotePath(settings.source, 'ssh_options.source');
      const entries = await listRemote(sftp, src, { recursive: false, host: h.name });
      for (const e of entries) log(`${e.mode} ${e.type.padEnd(9)} ${String(e.size).padStart(12)} ${e.mtime} ${e.path}`);
      const file = join(hostArtifactDir(ctx, h), 'listing.json');
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, JSON.stringify(entries, null, 2), { mode: 0o600 });
      return `${entries.length} entries`;
    }
    case SftpOperation.Copy: {
      const src = remotePath(settings.source, 'ssh_options.source');
      const dest = remotePath(settings.destination, 'ssh_options.destination');
      if (!opts.resume) log(`copying ${src} to ${dest}`);
      const r = await copyRemote(sftp, src, dest, opts);
      return `${r.files} file(s), ${r.bytes} bytes copied`;
    }
  }
}

/** The host's directory of the artifact area: its inventory name, which must be a plain file name. */
function hostArtifactDir(ctx: SshOperationContext, h: HostTarget): string {
  const problem = remoteEntryNameProblem(h.name);
  if (problem) throw new JobPrepareError(JobErrorCode.InvalidHost, `host name ${JSON.stringify(h.name)} ${problem}`);
  return join(ctx.artifactsDir, h.name);
}

/** Every file under the artifacts directory, uploaded to the api under its relative path. */
async function publishArtifacts(ctx: SshOperationContext): Promise<void> {
  if (!ctx.artifacts) return;
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  await walk(ctx.artifactsDir);
  for (const file of files) {
    const path = relative(ctx.artifactsDir, file).split('\\').join('/');
    await ctx.artifacts.upload(path, file);
    const { size } = await stat(file);
    ctx.events.log(`Stored artifact ${path} (${size} bytes)`);
  }
}
