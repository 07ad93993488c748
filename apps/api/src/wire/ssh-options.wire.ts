import {
  DEFAULT_SSH_RETRY,
  HostKeyMode,
  SftpOperation,
  SyncCompare,
  type SshOperationSettings,
  type WireSshOptions,
} from '@semaphore/models';
import { readBoolean, readEnum, readInt, readString, wireBody, type WireBody } from './input.wire';

/** Defaults of absent settings (timeouts in seconds on the wire, milliseconds stored). */
const DEFAULTS = {
  parallelism: 10,
  connectTimeout: 20,
};

export function toWireSshOptions(s: SshOperationSettings | null): WireSshOptions | null {
  if (s === null) return null;
  return {
    command: s.command,
    script: s.script,
    operation: s.operation,
    source: s.source,
    destination: s.destination,
    compare: s.compare,
    delete: s.deleteExtraneous,
    parallelism: s.parallelism,
    tolerate_failures: s.tolerateFailures,
    connect_timeout: s.connectTimeoutMs / 1000,
    idle_timeout: s.idleTimeoutMs / 1000,
    command_timeout: s.commandTimeoutMs / 1000,
    retry: {
      attempts: s.retry.attempts,
      backoff: s.retry.backoffMs / 1000,
      backoff_factor: s.retry.backoffFactor,
      retry_on: [...s.retry.retryOn],
    },
    host_key_mode: s.hostKeyMode,
  };
}

function readNumber(body: WireBody, key: string): number | undefined {
  const value = body.get(key);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * `ssh_options` of a template body (already validated by the DTO): absent -> undefined, `null` -> null, an object ->
 * complete settings with defaults for what it does not say.
 */
export function sshOptionsFromWire(value: unknown): SshOperationSettings | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const b = wireBody(value);
  const retryBody = wireBody(b.get('retry'));
  const retryOn = retryBody.get('retry_on');
  return {
    command: readString(b, 'command') ?? '',
    script: readString(b, 'script') ?? '',
    operation: readEnum(b, 'operation', SftpOperation) ?? null,
    source: readString(b, 'source') ?? '',
    destination: readString(b, 'destination') ?? '',
    compare: readEnum(b, 'compare', SyncCompare) ?? SyncCompare.SizeMtime,
    deleteExtraneous: readBoolean(b, 'delete') ?? false,
    parallelism: readInt(b, 'parallelism') ?? DEFAULTS.parallelism,
    tolerateFailures: readInt(b, 'tolerate_failures') ?? 0,
    connectTimeoutMs: Math.round((readNumber(b, 'connect_timeout') ?? DEFAULTS.connectTimeout) * 1000),
    idleTimeoutMs: Math.round((readNumber(b, 'idle_timeout') ?? 0) * 1000),
    commandTimeoutMs: Math.round((readNumber(b, 'command_timeout') ?? 0) * 1000),
    retry: {
      attempts: readInt(retryBody, 'attempts') ?? DEFAULT_SSH_RETRY.attempts,
      backoffMs: Math.round((readNumber(retryBody, 'backoff') ?? DEFAULT_SSH_RETRY.backoffMs / 1000) * 1000),
      backoffFactor: readNumber(retryBody, 'backoff_factor') ?? DEFAULT_SSH_RETRY.backoffFactor,
      retryOn: Array.isArray(retryOn)
        ? retryOn.filter((c): c is string => typeof c === 'string')
        : [...DEFAULT_SSH_RETRY.retryOn],
    },
    hostKeyMode: readEnum(b, 'host_key_mode', HostKeyMode) ?? HostKeyMode.Verify,
  };
}
