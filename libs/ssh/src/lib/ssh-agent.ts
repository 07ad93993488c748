import { randomBytes, sign as cryptoSign, createPrivateKey, type KeyObject } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { utils, type ParsedKey } from 'ssh2';
import { SshError, SshErrorCode } from './ssh-error';

interface AgentKey {
  parsed: ParsedKey;
  privateKey: KeyObject;
}

/**
 * An in-process ssh-agent on a unix socket in the task directory (as upstream's): children (git, ansible, ssh) get
 * `SSH_AUTH_SOCK`, the private key is decrypted only in this process's memory and never written to disk, and the
 * passphrase is used once, here.
 */
export class SshAgent {
  private readonly keys: AgentKey[] = [];
  private readonly connections = new Set<Socket>();

  private constructor(
    readonly socketPath: string,
    private readonly server: Server,
  ) {}

  /** Listens on `<dir>/agent-<random>.sock` (mode 0600 through the directory, which the task owns). */
  static async start(dir: string): Promise<SshAgent> {
    const socketPath = join(dir, `agent-${randomBytes(5).toString('hex')}.sock`);
    const server = createServer();
    const agent = new SshAgent(socketPath, server);
    server.on('connection', (socket) => agent.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return agent;
  }

  /**
   * Starts an agent in `dir` holding one key; when the key cannot be loaded (bad key, wrong passphrase) the agent is
   * stopped again and the typed error thrown, so no socket is left behind.
   * @throws SshError (SSH_AUTHENTICATION_FAILED)
   */
  static async startWithKey(dir: string, privateKey: string, passphrase?: string): Promise<SshAgent> {
    const agent = await SshAgent.start(dir);
    try {
      agent.addKey(privateKey, passphrase);
      return agent;
    } catch (err) {
      await agent.stop();
      throw err;
    }
  }

  /** Adds a private key (OpenSSH or PEM), decrypting it with the passphrase; a bad key or passphrase is typed. */
  addKey(privateKeyText: string, passphrase?: string): ParsedKey {
    const parsed = utils.parseKey(privateKeyText, passphrase || undefined);
    if (parsed instanceof Error) {
      throw new SshError(SshErrorCode.AuthenticationFailed, `cannot load the private key: ${parsed.message}`);
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key?.isPrivateKey()) throw new SshError(SshErrorCode.AuthenticationFailed, 'the key is not a private key');
    this.keys.push({ parsed: key, privateKey: createPrivateKey(key.getPrivatePEM()) });
    return key;
  }

  async stop(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.socketPath, { force: true });
    this.keys.length = 0;
  }

  private serve(socket: Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const length = pending.readUInt32BE(0);
        if (length > MAX_MESSAGE) return socket.destroy();
        if (pending.length < 4 + length) break;
        const message = pending.subarray(4, 4 + length);
        pending = pending.subarray(4 + length);
        socket.write(frame(this.answer(message)));
      }
    });
  }

  /** One request of the agent protocol (draft-miller-ssh-agent): identities and signatures; anything else fails. */
  private answer(message: Buffer): Buffer {
    try {
      if (message[0] === REQUEST_IDENTITIES) {
        const parts = [Buffer.from([IDENTITIES_ANSWER]), uint32(this.keys.length)];
        for (const key of this.keys)
          parts.push(sshString(key.parsed.getPublicSSH()), sshString(Buffer.from(key.parsed.comment ?? '')));
        return Buffer.concat(parts);
      }
      if (message[0] === SIGN_REQUEST) {
        const reader = new WireReader(message.subarray(1));
        const blob = reader.string();
        const data = reader.string();
        const flags = reader.uint32();
        const key = this.keys.find((k) => k.parsed.getPublicSSH().equals(blob));
        if (!key) return FAILURE;
        const { algorithm, signature } = signatureBlob(key, data, flags);
        return Buffer.concat([
          Buffer.from([SIGN_RESPONSE]),
          sshString(Buffer.concat([sshString(Buffer.from(algorithm)), sshString(signature)])),
        ]);
      }
    } catch {
      return FAILURE;
    }
    return FAILURE;
  }
}

const REQUEST_IDENTITIES = 11;
const IDENTITIES_ANSWER = 12;
const SIGN_REQUEST = 13;
const SIGN_RESPONSE = 14;
const FAILURE = Buffer.from([5]);
const RSA_SHA2_256 = 2;
const RSA_SHA2_512 = 4;
const MAX_MESSAGE = 256 * 1024;

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function sshString(bytes: Buffer): Buffer {
  return Buffer.concat([uint32(bytes.length), bytes]);
}

function frame(message: Buffer): Buffer {
  return sshString(message);
}

class WireReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  uint32(): number {
    if (this.pos + 4 > this.buf.length) throw new Error('truncated');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  string(): Buffer {
    const len = this.uint32();
    if (this.pos + len > this.buf.length) throw new Error('truncated');
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
}

/** The signature as the SSH wire format wants it for each key type. */
function signatureBlob(key: AgentKey, data: Buffer, flags: number): { algorithm: string; signature: Buffer } {
  const type = key.parsed.type;
  if (type === 'ssh-ed25519') return { algorithm: type, signature: cryptoSign(null, data, key.privateKey) };
  if (type === 'ssh-rsa') {
    if (flags & RSA_SHA2_512)
      return { algorithm: 'rsa-sha2-512', signature: cryptoSign('sha512', data, key.privateKey) };
    if (flags & RSA_SHA2_256)
      return { algorithm: 'rsa-sha2-256', signature: cryptoSign('sha256', data, key.privateKey) };
    return { algorithm: type, signature: cryptoSign('sha1', data, key.privateKey) };
  }
  const curveHash: Record<string, string> = {
    'ecdsa-sha2-nistp256': 'sha256',
    'ecdsa-sha2-nistp384': 'sha384',
    'ecdsa-sha2-nistp521': 'sha512',
  };
  if (curveHash[type]) {
    const raw = cryptoSign(curveHash[type], data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    const half = raw.length / 2;
    return {
      algorithm: type,
      signature: Buffer.concat([sshMpint(raw.subarray(0, half)), sshMpint(raw.subarray(half))]),
    };
  }
  throw new Error(`unsupported key type ${type}`);
}

function sshMpint(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let value = bytes.subarray(start);
  if (value[0] & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(value.length);
  return Buffer.concat([len, value]);
}
