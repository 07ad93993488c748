import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccessKeyType, ProjectRole } from '@semaphore/models';
import {
  AccessKeyEntity,
  EventEntity,
  IntegrationAliasEntity,
  IntegrationMatcherEntity,
  ProjectMemberEntity,
  ScheduleEntity,
  TemplateEntity,
  TemplateVaultEntity,
} from '@semaphore/persistence';
import { createTestDatabase, Factories, type TestDatabase } from '@semaphore/testing';
import { BackupExportService } from './backup-export.service';
import { BackupRestoreRepository } from './backup-restore.repository';
import { BackupRestoreService } from './backup-restore.service';
import { BackupValidationError } from './backup-shape';
import { BackupRepository } from './backup.repository';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form backup JSON

const FIXTURE = join(__dirname, '../../../e2e/fixtures/upstream-backup.json');
const fixture = (): Json => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Json;

/** Every table a restore writes to. */
const TABLES = [
  'project',
  'project__user',
  'access_key',
  'project__environment',
  'project__view',
  'project__repository',
  'project__inventory',
  'project__template',
  'project__template_vault',
  'project__schedule',
  'project__integration',
  'project__integration_matcher',
  'project__integration_extract_value',
  'project__integration_alias',
  'event',
];

describe('backup export and restore (real PostgreSQL)', () => {
  let db: TestDatabase;
  let f: Factories;
  let exporter: BackupExportService;
  let restorer: BackupRestoreService;
  let repository: BackupRestoreRepository;
  let ownerId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Factories(db.dataSource);
    exporter = new BackupExportService(new BackupRepository(db.dataSource));
    repository = new BackupRestoreRepository(db.dataSource);
    restorer = new BackupRestoreService(repository);
    ownerId = (await f.user()).id;
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`)) as { n: number }[];
      result[table] = row.n;
    }
    return result;
  }

  it('restores the upstream fixture: every object, empty keys, the owner, active schedules, one event', async () => {
    const { project, scheduleIds, replacedAliases } = await restorer.restore(fixture(), ownerId);
    expect(project).toMatchObject({ name: 'Upstream Demo', alert: true, alertChat: '-100123456', maxParallelTasks: 2 });
    expect(replacedAliases).toBe(0);
    const where = { projectId: project.id };
    const ds = db.dataSource;
    expect(await ds.getRepository(ProjectMemberEntity).findBy(where)).toEqual([
      expect.objectContaining({ userId: ownerId, role: ProjectRole.Owner }),
    ]);
    const keys = await ds.getRepository(AccessKeyEntity).findBy(where);
    expect(keys.map((k) => [k.name, k.type, k.secret]).sort()).toEqual([
      ['None', 'none', null],
      ['become password', 'login_password', null],
      ['deploy ssh', 'ssh', null],
      ['vault password', 'login_password', null],
      ['webhook secret', 'login_password', null],
    ]);
    const templates = await ds.getRepository(TemplateEntity).find({ where, order: { id: 'ASC' } });
    expect(templates.map((t) => t.name)).toEqual(['Build app', 'Plan infra', 'Deploy app']);
    const [build, , deploy] = templates;
    expect(deploy).toMatchObject({ buildTemplateId: build.id, autorun: true, type: 'deploy' });
    expect(deploy.surveyVars.map((v) => v.name)).toEqual(['version', 'target', 'token']);
    expect(build.suppressSuccessAlerts).toBe(true);
    const vaults = await ds.getRepository(TemplateVaultEntity).findBy({ templateId: deploy.id });
    expect(vaults.map((v) => v.name).sort()).toEqual(['prod', null].sort());
    const schedules = await ds.getRepository(ScheduleEntity).find({ where, order: { id: 'ASC' } });
    expect(schedules.map((s) => [s.cronFormat, s.active, s.repositoryId])).toEqual([
      ['0 3 * * *', true, null],
      ['*/30 * * * *', true, null],
    ]);
    expect(schedules.map((s) => s.id)).toEqual(scheduleIds);
    expect(await ds.getRepository(IntegrationMatcherEntity).count()).toBe(2);
    const aliases = await ds.getRepository(IntegrationAliasEntity).find({ where, order: { id: 'ASC' } });
    expect(aliases.map((a) => [a.alias, a.integrationId === null])).toEqual([
      ['a1b2c3d4e5f6g7h8', false],
      ['p0r1o2j3e4c5t6a7', true],
    ]);
    expect(await ds.getRepository(EventEntity).findBy(where)).toEqual([
      expect.objectContaining({ objectType: 'project', description: 'Project Upstream Demo restored from a backup' }),
    ]);

    // Its export is the fixture itself, plus this server's template extensions.
    const expected = fixture();
    for (const t of expected.templates as Json[]) {
      Object.assign(t, { allow_override_branch_in_task: false, allow_parallel_tasks: false });
    }
    expect(await exporter.export(project.id)).toEqual(expected);
  });

  it('replaces webhook aliases this server already uses when the same backup is restored again', async () => {
    const again = await restorer.restore(fixture(), ownerId);
    expect(again.replacedAliases).toBe(2);
    const aliases = await db.dataSource.getRepository(IntegrationAliasEntity).findBy({ projectId: again.project.id });
    expect(aliases.map((a) => a.alias)).not.toContain('a1b2c3d4e5f6g7h8');
    expect(aliases.every((a) => /^[a-z0-9]{16}$/.test(a.alias))).toBe(true);
  });

  it('leaves no row behind when the last section has a bad reference', async () => {
    const before = await counts();
    const backup = fixture();
    backup.integrations[0].template = 'No such template';
    await expect(restorer.restore(backup, ownerId)).rejects.toThrow(
      new BackupValidationError('integrations[0].template: no template named "No such template" in templates'),
    );
    expect(await counts()).toEqual(before);
  });

  it('rolls everything back when the database refuses the very last insert', async () => {
    const before = await counts();
    const plan = restorer.plan(fixture());
    // Two project aliases that are equal only fail at the unique index, after every other row was written.
    plan.projectAliases = ['dupdupdupdupdup1', 'dupdupdupdupdup1'];
    await expect(repository.restore(plan, ownerId)).rejects.toThrow(/duplicate key/);
    expect(await counts()).toEqual(before);
  });

  it('exports a project made through the API shape without reading a secret', async () => {
    const project = await f.project({ name: 'Secrets' });
    const key = await f.sshKey(project.id, { name: 'prod ssh', secret: 'djE6U0VDUkVULUNJUEhFUlRFWFQtTUFSS0VS' });
    await f.repository(project.id, { name: 'r', sshKeyId: key.id });
    const backup = await exporter.export(project.id);
    expect(backup?.keys).toContainEqual({ name: 'prod ssh', type: AccessKeyType.Ssh });
    expect(JSON.stringify(backup)).not.toContain('djE6U0VDUkVULUNJUEhFUlRFWFQtTUFSS0VS');
    expect(await exporter.export(2_000_000_000)).toBeNull();
  });
});
