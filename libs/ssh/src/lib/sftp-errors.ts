import { utils } from 'ssh2';
import { SshError, SshErrorCode } from './ssh-error';

const STATUS = utils.sftp.STATUS_CODE;
/** SSH_FX_NO_SPACE_ON_FILESYSTEM (draft-ietf-secsh-filexfer-13), sent by some servers; OpenSSH sends FAILURE. */
const NO_SPACE_ON_FILESYSTEM = 14;

/** An SFTP or stream failure as a typed error a person understands: what, where, and why. */
export function sftpError(err: unknown, what: string, path: string, host: string): SshError {
  if (err instanceof SshError) return err;
  const e = err as { code?: unknown; message?: string };
  const message = e?.message ?? String(err);
  const where = `${path} on ${host}`;
  if (e?.code === STATUS.NO_SUCH_FILE || (e?.code === 'ENOENT' && what.startsWith('read'))) {
    return new SshError(SshErrorCode.SftpFileNotFound, `${what}: ${where} does not exist`, { cause: err });
  }
  if (e?.code === STATUS.PERMISSION_DENIED || e?.code === 'EACCES') {
    return new SshError(SshErrorCode.SftpPermissionDenied, `${what}: permission denied for ${where}`, { cause: err });
  }
  if (e?.code === NO_SPACE_ON_FILESYSTEM || e?.code === 'ENOSPC' || /no space|disk full|quota/i.test(message)) {
    return new SshError(SshErrorCode.SftpDiskFull, `${what}: no space left for ${where}`, { cause: err });
  }
  if (
    e?.code === STATUS.CONNECTION_LOST ||
    e?.code === STATUS.NO_CONNECTION ||
    /not connected|ECONNRESET|no response from server|channel (open failure|closed)/i.test(message)
  ) {
    return new SshError(SshErrorCode.ConnectionFailed, `${what}: the connection to ${host} was lost`, { cause: err });
  }
  return new SshError(SshErrorCode.SftpTransferFailed, `${what}: ${where}: ${message}`, { cause: err });
}
