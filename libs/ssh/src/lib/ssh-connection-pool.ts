import { SshConnection, type SshTarget } from './ssh-connection';
import { routeLabel } from './ssh-target';

/** One connection per host for the length of a task: opened on first use, reused, all closed at the end. */
export class SshConnectionPool {
  private readonly connections = new Map<string, Promise<SshConnection>>();

  constructor(private readonly open: (target: SshTarget) => Promise<SshConnection> = SshConnection.open) {}

  get(target: SshTarget): Promise<SshConnection> {
    // The route, jump hosts included: the same host behind another bastion is another connection.
    const key = routeLabel(target);
    let conn = this.connections.get(key);
    if (!conn) {
      conn = this.open(target);
      // A failed connection is not kept: the next use (a retry) connects again.
      conn.catch(() => this.connections.delete(key));
      this.connections.set(key, conn);
    }
    return conn;
  }

  async closeAll(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    for (const settled of await Promise.allSettled(all)) if (settled.status === 'fulfilled') settled.value.close();
  }
}
