import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The private directory of one task run (mode 0700): repository checkout, inventory, extra vars, vault password
 * files, agent socket. Files holding secrets are written 0600. Removed when the run ends.
 */
export class TaskWorkspace {
  private constructor(readonly dir: string) {}

  static async create(root: string, taskId: number): Promise<TaskWorkspace> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const dir = join(root, `task_${taskId}_${randomBytes(4).toString('hex')}`);
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
