import { SftpOperation } from '@semaphore/models';
import { sshOptionsFromWire, toWireSshOptions } from '../../wire/ssh-options.wire';
import { sshOptionsProblem } from './ssh-options-validation';

const settings = (wire: Record<string, unknown>) => {
  const s = sshOptionsFromWire(wire);
  if (!s) throw new Error('expected settings');
  return s;
};

describe('ssh_options', () => {
  it('fills defaults and converts seconds to milliseconds and back', () => {
    const s = settings({ command: 'uptime', connect_timeout: 2.5, retry: { attempts: 3, backoff: 0.5 } });
    expect(s).toMatchObject({
      command: 'uptime',
      operation: null,
      parallelism: 10,
      tolerateFailures: 0,
      connectTimeoutMs: 2500,
      idleTimeoutMs: 0,
      retry: { attempts: 3, backoffMs: 500, backoffFactor: 2, retryOn: ['SSH_CONNECTION_FAILED', 'SSH_TIMEOUT'] },
      hostKeyMode: 'verify',
    });
    expect(toWireSshOptions(s)).toMatchObject({ connect_timeout: 2.5, retry: { attempts: 3, backoff: 0.5 } });
    expect(sshOptionsFromWire(null)).toBeNull();
    expect(sshOptionsFromWire(undefined)).toBeUndefined();
  });

  it('asks for command or script on ssh templates, and an operation on sftp ones', () => {
    expect(sshOptionsProblem('ssh', settings({ command: 'uptime' }))).toBeNull();
    expect(sshOptionsProblem('ssh', settings({ script: 'scripts/check.sh' }))).toBeNull();
    expect(sshOptionsProblem('ssh', settings({}))).toMatch(/either command or script/);
    expect(sshOptionsProblem('ssh', settings({ command: 'a', script: 'b.sh' }))).toMatch(/either command or script/);
    expect(sshOptionsProblem('ssh', null)).toBe('ssh_options is required for ssh templates');
    expect(sshOptionsProblem('sftp', settings({ source: 'a', destination: '/b' }))).toMatch(/operation is required/);
    expect(sshOptionsProblem('ansible', settings({ command: 'x' }))).toMatch(/only for ssh and sftp/);
    expect(sshOptionsProblem('ansible', null)).toBeNull();
  });

  it.each([
    [SftpOperation.Upload, 'dist/app.tar', '/srv/app.tar'],
    [SftpOperation.Sync, '.', 'www'],
    [SftpOperation.Download, '/var/log/syslog', 'logs/syslog'],
    [SftpOperation.Copy, '/etc/hosts', '/tmp/hosts.bak'],
  ])('accepts %s from %s to %s', (operation, source, destination) => {
    expect(sshOptionsProblem('sftp', settings({ operation, source, destination }))).toBeNull();
  });

  it.each([
    [{ operation: 'upload', source: '../etc/passwd', destination: '/tmp/x' }, 'ssh_options.source must stay inside'],
    [{ operation: 'upload', source: '/etc/passwd', destination: '/tmp/x' }, 'ssh_options.source must be a relative'],
    [
      { operation: 'upload', source: 'a', destination: '/srv/../etc/x' },
      'ssh_options.destination must not contain ".."',
    ],
    [
      { operation: 'download', source: '/var/../../etc/shadow', destination: 'x' },
      'ssh_options.source must not contain',
    ],
    [
      { operation: 'download', source: '/etc/motd', destination: '../../x' },
      'ssh_options.destination must stay inside',
    ],
    [
      { operation: 'download', source: '/etc/motd', destination: '-rf' },
      'ssh_options.destination must not start with "-"',
    ],
    [{ operation: 'copy', source: '-r', destination: '/tmp/x' }, 'ssh_options.source must not start with "-"'],
    [{ operation: 'copy', source: '/a\n/b', destination: '/tmp/x' }, 'ssh_options.source must not contain control'],
    [{ operation: 'list', source: '', destination: '' }, 'ssh_options.source must not be empty'],
    [{ operation: 'list', source: '/srv', destination: '/x' }, 'ssh_options.destination is not used by list'],
    [{ operation: 'sync', source: 'C:/Windows', destination: '/x' }, 'ssh_options.source must be a relative'],
    [{ script: '../../bin/evil.sh' }, 'ssh_options.script must stay inside'],
  ])('refuses %j', (wire, message) => {
    const app = 'operation' in wire ? 'sftp' : 'ssh';
    expect(sshOptionsProblem(app, settings(wire))).toContain(message);
  });
});
