import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The private directory of one task run (mode 0700): repository checkout, inventory, extra vars, vault password
 * files, agent socket. Files holding secrets are written 0600. Removed when the run ends.
 */
export class TaskWorkspace {
  private constructor(readonly dir: string) {}

  /** `owner` is a task id (`task_<id>_…`) or a name of the form `[a-z_0-9]+`. */
  static async create(root: string, owner: number | string): Promise<TaskWorkspace> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const base = typeof owner === 'number' ? `task_${owner}` : owner.replace(/[^a-z0-9_]/g, '_');
    const dir = join(root, `${base}_${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { mode: 0o700 });
    return new TaskWorkspace(dir);
  }

  path(name: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) throw new Error(`bad workspace file name ${name}`);
    return join(this.dir, name);
  }

  /** Writes a file only the runner's user can read. */
  async writePrivate(name: string, content: string): Promise<string> {
    const file = this.path(name);
    await writeFile(file, content, { mode: 0o600, flag: 'wx' });
    return file;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
