import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ProjectEntity, queryOneAs, RunnerEntity } from '@semaphore/persistence';

export type RunnerFields = Partial<
  Pick<RunnerEntity, 'projectId' | 'name' | 'webhook' | 'maxParallelTasks' | 'active' | 'tags' | 'version'>
>;

/** Every query on runners. Tokens are looked up by their SHA-256 only. */
@Injectable()
export class RunnersRepository {
  constructor(
    @InjectRepository(RunnerEntity) private readonly runners: Repository<RunnerEntity>,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
  ) {}

  list(): Promise<RunnerEntity[]> {
    return this.runners.find({ order: { id: 'ASC' } });
  }

  findById(id: number): Promise<RunnerEntity | null> {
    return this.runners.findOneBy({ id });
  }

  /** On every runner request: a hand-written query. */
  findByTokenHash(tokenHash: string): Promise<RunnerEntity | null> {
    return queryOneAs(this.runners.manager, RunnerEntity, 'SELECT * FROM runner WHERE token_hash = $1', [tokenHash]);
  }

  async projectExists(id: number): Promise<boolean> {
    return (await this.projects.countBy({ id })) > 0;
  }

  create(fields: RunnerFields & { tokenHash: string }): Promise<RunnerEntity> {
    return this.runners.save(this.runners.create(fields));
  }

  async update(id: number, fields: RunnerFields): Promise<void> {
    if (Object.keys(fields).length) await this.runners.update({ id }, fields);
  }

  async delete(id: number): Promise<void> {
    await this.runners.delete({ id });
  }

  async setRegistrationToken(id: number, hash: string, expires: Date): Promise<void> {
    await this.runners.update({ id }, { registrationTokenHash: hash, registrationTokenExpires: expires });
  }

  /**
   * Completes a one-time registration atomically: only an unexpired token matches, and it is cleared in the same
   * statement, so it can be used once. Returns the runner, or null when the token is unknown or expired.
   */
  async redeemRegistrationToken(
    registrationHash: string,
    tokenHash: string,
    fill: Required<Pick<RunnerEntity, 'name' | 'tags' | 'maxParallelTasks' | 'webhook'>>,
  ): Promise<RunnerEntity | null> {
    const result = await this.runners
      .createQueryBuilder()
      .update(RunnerEntity)
      .set({
        tokenHash,
        registrationTokenHash: null,
        registrationTokenExpires: null,
        lastSeen: () => 'now()',
        // The pre-created runner's settings win; the registering runner only fills the blanks.
        name: () => `CASE WHEN name = '' THEN :fillName ELSE name END`,
        tags: () => `CASE WHEN tags = '[]'::jsonb THEN CAST(:fillTags AS jsonb) ELSE tags END`,
        maxParallelTasks: () => `CASE WHEN max_parallel_tasks = 0 THEN :fillMax ELSE max_parallel_tasks END`,
        webhook: () => `CASE WHEN webhook = '' THEN :fillWebhook ELSE webhook END`,
      })
      .where('registration_token_hash = :registrationHash AND registration_token_expires > now()', {
        registrationHash,
      })
      .setParameters({
        fillName: fill.name,
        fillTags: JSON.stringify(fill.tags),
        fillMax: fill.maxParallelTasks,
        fillWebhook: fill.webhook,
      })
      .returning(['id'])
      .execute();
    const rows = result.raw as Array<{ id: number }>;
    return rows.length ? this.findById(rows[0].id) : null;
  }
}
