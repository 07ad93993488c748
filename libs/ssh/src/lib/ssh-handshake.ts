import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { acceptedHostKey, fingerprintSha256, hostKeyVerdict, type HostKeyVerdict } from './host-key';
import { SshError, SshErrorCode } from './ssh-error';
import { targetLabel, type SshTarget } from './ssh-target';

/**
 * Connects and authenticates one hop: over TCP, or over `sock` (a channel forwarded by a jump host). The host key
 * is checked against the target's policy before any credential is sent; a password also answers
 * keyboard-interactive prompts. Nagle is turned off on the TCP socket (ssh2 is ~10x slower with it on).
 * @throws SshError (SSH_CONNECTION_FAILED, SSH_AUTHENTICATION_FAILED, SSH_HOST_KEY_MISMATCH, SSH_TIMEOUT)
 */
export function handshake(target: SshTarget, sock?: Duplex): Promise<Client> {
  const client = new Client();
  const seen: HostKeyCheck = { key: null, verdict: null, recordError: null };
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const fail = (err: SshError) => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('ready');
      client.on('error', () => undefined);
      client.end();
      reject(err);
    };
    client.once('ready', () => {
      settled = true;
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string }) => fail(classify(err, target, seen)));
    client.once('close', () =>
      fail(new SshError(SshErrorCode.ConnectionFailed, `${targetLabel(target)} closed the connection during login`)),
    );
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) =>
      finish(prompts.map(() => target.password ?? '')),
    );
    client.on('connect', () => setNoDelay(client));
    try {
      client.connect(connectConfig(target, seen, sock));
    } catch (err) {
      fail(
        new SshError(SshErrorCode.AuthenticationFailed, `cannot use the private key: ${messageOf(err)}`, {
          cause: err,
        }),
      );
    }
  });
}

interface HostKeyCheck {
  key: Buffer | null;
  verdict: HostKeyVerdict | null;
  recordError: unknown;
}

function connectConfig(target: SshTarget, seen: HostKeyCheck, sock: Duplex | undefined): ConnectConfig {
  return {
    host: target.host,
    port: target.port,
    sock,
    username: target.username,
    privateKey: target.privateKey || undefined,
    passphrase: target.passphrase || undefined,
    password: target.password,
    tryKeyboard: target.password !== undefined,
    readyTimeout: target.connectTimeoutMs ?? 20_000,
    // A peer that stops answering (a dead link, not a closed one) is noticed within about a minute.
    keepaliveInterval: 15_000,
    keepaliveCountMax: 4,
    hostVerifier: (key: Buffer) => {
      seen.key = key;
      seen.verdict = hostKeyVerdict(target.hostKeys, key);
      if (seen.verdict === 'new') {
        try {
          target.hostKeys.onAccepted?.(acceptedHostKey(key));
        } catch (err) {
          // Trust on first use without a record of the key would trust again next time: refuse instead.
          seen.recordError = err;
          return false;
        }
      }
      return seen.verdict === 'known' || seen.verdict === 'new';
    },
  };
}

function setNoDelay(client: Client): void {
  // ssh2 keeps the socket in a private field; its type is not exported. A forwarded channel has no such method.
  const sock = (client as unknown as { _sock?: { setNoDelay?: (on: boolean) => void } })._sock;
  sock?.setNoDelay?.(true);
}

function classify(err: Error & { level?: string }, target: SshTarget, seen: HostKeyCheck): SshError {
  const where = targetLabel(target);
  if (err.level === 'client-authentication') {
    return new SshError(SshErrorCode.AuthenticationFailed, `${where} refused the ${credentials(target)}`, {
      cause: err,
    });
  }
  if (seen.recordError) {
    return new SshError(
      SshErrorCode.ConnectionFailed,
      `cannot record the new host key of ${where}: ${messageOf(seen.recordError)}`,
      { cause: seen.recordError },
    );
  }
  if (seen.key && seen.verdict !== 'known' && seen.verdict !== 'new') {
    return new SshError(SshErrorCode.HostKeyMismatch, hostKeyRefusal(where, seen.key, seen.verdict, target), {
      cause: err,
    });
  }
  if (/timed out/i.test(err.message)) {
    return new SshError(SshErrorCode.Timeout, `${where} did not complete the SSH handshake in time`, { cause: err });
  }
  if (/privatekey|private key|passphrase/i.test(err.message)) {
    return new SshError(SshErrorCode.AuthenticationFailed, `cannot use the private key for ${where}: ${err.message}`, {
      cause: err,
    });
  }
  return new SshError(SshErrorCode.ConnectionFailed, `cannot connect to ${where}: ${err.message}`, { cause: err });
}

function hostKeyRefusal(where: string, key: Buffer, verdict: HostKeyVerdict | null, target: SshTarget): string {
  const presented = `${where} presented host key ${fingerprintSha256(key)}`;
  if (verdict === 'revoked') return `${presented}, which is revoked: refusing to connect`;
  if (target.hostKeys.fingerprints.length === 0)
    return `${presented}, but no key is known for this host (and accept-new is off): refusing to connect`;
  return `${presented}, which is not a known key of this host: refusing to connect (the host key changed?)`;
}

/** What was offered, for the message: never the secret itself. */
function credentials(target: SshTarget): string {
  const offered = [target.privateKey ? 'key' : null, target.password !== undefined ? 'password' : null].filter(Boolean);
  if (offered.length === 0) return `login of ${target.username}: no key or password was given`;
  return `${offered.join(' and ')} for ${target.username}`;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
