import { randomBytes } from 'node:crypto';
import { ConflictException, NotFoundException } from '@nestjs/common';
import type { ProjectEntity, RunnerEntity, ScheduleEntity, TemplateEntity } from '@semaphore/persistence';
import { Factories, createTestDatabase, type TestDatabase } from '@semaphore/testing';
import { SecretCipher } from '../../crypto';
import { CommitCheckSpecService } from './commit-check-spec.service';
import { TaskClaimRepository } from './task-claim.repository';

describe('CommitCheckSpecService (real PostgreSQL)', () => {
  let db: TestDatabase;
  let f: Factories;
  let specs: CommitCheckSpecService;
  let project: ProjectEntity;
  let template: TemplateEntity;
  let global: RunnerEntity;
  let own: RunnerEntity;
  let foreign: RunnerEntity;
  /** A commit schedule whose key is a placeholder ciphertext: any attempt to decrypt it fails. */
  let undecryptable: ScheduleEntity;
  let plain: ScheduleEntity;

  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Factories(db.dataSource);
    specs = new CommitCheckSpecService(
      db.dataSource,
      new TaskClaimRepository(db.dataSource),
      new SecretCipher(randomBytes(32)),
    );
    project = await f.project();
    template = await f.template(project.id);
    const key = await f.sshKey(project.id);
    const repository = await f.repository(project.id, { sshKeyId: key.id });
    undecryptable = await f.schedule(template, { repositoryId: repository.id });
    plain = await f.schedule(template);
    global = await f.runner();
    own = await f.runner({ projectId: project.id });
    foreign = await f.runner({ projectId: (await f.project()).id });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('lets a global runner and the project own runner report, without decrypting the key', async () => {
    await expect(specs.assertServes(global, undecryptable.id)).resolves.toBeUndefined();
    await expect(specs.assertServes(own, undecryptable.id)).resolves.toBeUndefined();
    // The spec route, which does decrypt, refuses the same schedule: the report route never got that far.
    await expect(specs.spec(undecryptable.id, global)).rejects.toBeInstanceOf(ConflictException);
  });

  it('is 404 for a runner of another project, as the spec route is', async () => {
    await expect(specs.assertServes(foreign, undecryptable.id)).rejects.toBeInstanceOf(NotFoundException);
    await expect(specs.spec(undecryptable.id, foreign)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('is 404 for a schedule that is not commit-triggered, and for one that does not exist', async () => {
    await expect(specs.assertServes(global, plain.id)).rejects.toBeInstanceOf(NotFoundException);
    await expect(specs.spec(plain.id, global)).rejects.toBeInstanceOf(NotFoundException);
    await expect(specs.assertServes(global, 999_999)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('still builds the spec with the key decrypted for a schedule it serves', async () => {
    const repository = await f.repository(project.id);
    const schedule = await f.schedule(template, { repositoryId: repository.id });
    await expect(specs.assertServes(own, schedule.id)).resolves.toBeUndefined();
    const spec = await specs.spec(schedule.id, own);
    expect(spec).toMatchObject({
      scheduleId: schedule.id,
      repository: { url: repository.gitUrl, key: { type: 'none' } },
    });
  });
});
