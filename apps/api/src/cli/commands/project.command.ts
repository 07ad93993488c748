import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { AccessKeyType } from '@semaphore/models';
import { UserEntity, createDataSource } from '@semaphore/persistence';
import { databaseConfigFromProcessEnv } from '../../config';
import { BackupExportService } from '../../modules/backup/backup-export.service';
import { BackupRestoreRepository, type RestoredProject } from '../../modules/backup/backup-restore.repository';
import { BackupRestoreService } from '../../modules/backup/backup-restore.service';
import { BackupValidationError } from '../../modules/backup/backup-shape';
import { BackupRepository } from '../../modules/backup/backup.repository';
import { CliError, type CliOutput } from '../cli-output';

/** Largest backup read from stdin (the API takes 5 MB bodies; the command line is the way for bigger projects). */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;

/** Where `project import` reads the backup; a parameter so that it can be given another stream. */
export type BackupInput = NodeJS.ReadableStream & { isTTY?: boolean };

async function withDatabase<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = createDataSource({ ...databaseConfigFromProcessEnv(), poolSize: 2 });
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

async function readAll(input: BackupInput): Promise<string> {
  if (input.isTTY) throw new CliError('pipe a backup into stdin: semaphore project import < backup.json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new CliError(`the backup is larger than ${MAX_STDIN_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new CliError('no backup on stdin: semaphore project import < backup.json');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`stdin is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The user named by `--owner` (login or e-mail), or else the first administrator (lowest id). */
async function ownerOf(ds: DataSource, login: string | undefined): Promise<UserEntity> {
  const users = ds.getRepository(UserEntity);
  if (login !== undefined) {
    const user = await users
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:login) OR lower(u.email) = lower(:login)', { login })
      .getOne();
    if (!user) throw new CliError(`no user with login ${login}`);
    return user;
  }
  const admin = await users.findOne({ where: { admin: true }, order: { id: 'ASC' } });
  if (!admin) throw new CliError('there is no administrator to own the project: give --owner <login>');
  return admin;
}

function importSummary(restored: RestoredProject, owner: UserEntity, emptyKeys: number): string {
  const { project } = restored;
  const notes = [`project ${project.id} ${JSON.stringify(project.name)} imported, owner ${owner.username}`];
  if (emptyKeys) notes.push(`${emptyKeys} access keys have no secret yet`);
  if (restored.scheduleIds.length) {
    notes.push(`${restored.scheduleIds.length} schedules fire once the api (re)starts`);
  }
  if (restored.replacedAliases) {
    notes.push(`${restored.replacedAliases} webhook aliases already in use were replaced by new ones`);
  }
  return notes.join('; ');
}

export function registerProjectCommands(program: Command, out: CliOutput, input: BackupInput = process.stdin): void {
  const project = program.command('project').description('export and import projects (upstream backup format)');

  project
    .command('export')
    .description('print the backup of a project as JSON (the body of GET /api/project/{id}/backup)')
    .requiredOption('--project-id <id>', 'the project to export')
    .action(async (opts: { projectId: string }) => {
      if (!/^\d{1,10}$/.test(opts.projectId) || Number(opts.projectId) < 1 || Number(opts.projectId) > 2_147_483_647) {
        throw new CliError('--project-id must be a positive integer');
      }
      const backup = await withDatabase((ds) =>
        new BackupExportService(new BackupRepository(ds)).export(Number(opts.projectId)),
      );
      if (!backup) throw new CliError(`no project with id ${opts.projectId}`);
      out.line(JSON.stringify(backup));
    });

  project
    .command('import')
    .description('create a project from a backup read on stdin (as POST /api/projects/restore), in one transaction')
    .option('--owner <login>', 'the owner of the new project (default: the first administrator)')
    .action(async (opts: { owner?: string }) => {
      const body = parseJson(await readAll(input));
      await withDatabase(async (ds) => {
        const restorer = new BackupRestoreService(new BackupRestoreRepository(ds));
        let plan;
        try {
          plan = restorer.plan(body);
        } catch (err) {
          if (err instanceof BackupValidationError) throw new CliError(err.message);
          throw err;
        }
        const owner = await ownerOf(ds, opts.owner);
        const restored = await restorer.write(plan, owner.id);
        const emptyKeys = plan.keys.filter((k) => k.type !== AccessKeyType.None).length;
        out.line(importSummary(restored, owner, emptyKeys));
      });
    });
}
