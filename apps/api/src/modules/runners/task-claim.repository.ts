import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { TaskStatus } from '@semaphore/models';
import {
  InventoryEntity,
  OptionEntity,
  RunnerEntity,
  TaskEntity,
  TaskOutputEntity,
  TemplateEntity,
  UserEntity,
} from '@semaphore/persistence';
import type { ClaimContext } from './job-spec.builder';
import { knownHostsOptionKeys, type KnownHostsText } from './known-hosts';

export interface ClaimedRow {
  claimGeneration: number;
  lastSeq: number;
  status: TaskStatus;
}

/** The queries of the claim endpoint: loading what a job needs, and the atomic `waiting -> starting` move. */
@Injectable()
export class TaskClaimRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findTask(id: number): Promise<TaskEntity | null> {
    return this.dataSource.getRepository(TaskEntity).findOneBy({ id });
  }

  /** Everything a job of `task` needs (keys still encrypted), or null when its template is gone. */
  async loadContext(task: TaskEntity): Promise<ClaimContext | null> {
    const template = await this.dataSource.getRepository(TemplateEntity).findOne({
      where: { id: task.templateId, projectId: task.projectId },
      relations: { vaults: { vaultKey: true }, repository: { sshKey: true }, environment: { secrets: true } },
    });
    if (!template?.repository) return null;
    const inventoryId = task.inventoryId ?? template.inventoryId;
    // Independent reads, at once: the claim is on the path from POST to the task's process.
    const [inventory, user, buildTask, knownHosts] = await Promise.all([
      inventoryId
        ? this.dataSource.getRepository(InventoryEntity).findOne({
            where: { id: inventoryId, projectId: task.projectId },
            relations: { sshKey: true, becomeKey: true, repository: { sshKey: true } },
          })
        : null,
      task.userId ? this.dataSource.getRepository(UserEntity).findOneBy({ id: task.userId }) : null,
      task.buildTaskId && !task.version
        ? this.dataSource.getRepository(TaskEntity).findOneBy({ id: task.buildTaskId, projectId: task.projectId })
        : null,
      this.knownHosts(task.projectId),
    ]);
    return {
      task,
      template,
      inventory,
      username: user?.username ?? '',
      buildVersion: buildTask?.version ?? null,
      knownHosts,
    };
  }

  /** The known hosts options of a project's tasks, global first. */
  async knownHosts(projectId: number): Promise<KnownHostsText[]> {
    const keys = knownHostsOptionKeys(projectId);
    const rows = await this.dataSource.getRepository(OptionEntity).findBy({ key: In(keys) });
    return keys.flatMap((key) => rows.filter((r) => r.key === key).map((r) => ({ key, value: r.value })));
  }

  /**
   * The claim itself, one statement: only a `waiting` task whose runner tag is one of the runner's tags (or that has
   * none) and that is in the runner's project (for project runners) moves to `starting`, with this runner and a new
   * claim generation. Null when another runner, a stop or a tag mismatch got in the way.
   */
  async claim(taskId: number, runner: RunnerEntity): Promise<ClaimedRow | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(TaskEntity)
      .set({
        status: TaskStatus.Starting,
        runnerId: runner.id,
        claimGeneration: () => 'claim_generation + 1',
        claimedAt: () => 'now()',
      })
      .where('id = :taskId AND status = :waiting', { taskId, waiting: TaskStatus.Waiting })
      .andWhere('(runner_tag IS NULL OR runner_tag = ANY(CAST(:tags AS varchar[])))', { tags: runner.tags })
      .andWhere('(CAST(:runnerProject AS integer) IS NULL OR project_id = :runnerProject)', {
        runnerProject: runner.projectId,
      })
      .returning('claim_generation, last_seq, status')
      .execute();
    const rows = result.raw as Array<{ claim_generation: number; last_seq: number; status: TaskStatus }>;
    if (!rows.length) return null;
    return { claimGeneration: rows[0].claim_generation, lastSeq: rows[0].last_seq, status: rows[0].status };
  }

  async touchRunner(runnerId: number): Promise<void> {
    await this.dataSource.getRepository(RunnerEntity).update({ id: runnerId }, { lastSeen: () => 'now()' });
  }

  /**
   * Fails a waiting task that cannot be prepared (e.g. a key that does not decrypt): `error` with a code and one log
   * line saying why, in one transaction, only if it is still waiting. Returns the updated task, or null.
   */
  async failWaiting(taskId: number, errorCode: string, line: string): Promise<TaskEntity | null> {
    return this.dataSource.transaction(async (em) => {
      const result = await em
        .createQueryBuilder()
        .update(TaskEntity)
        .set({ status: TaskStatus.Error, end: () => 'now()', errorCode, lastSeq: () => 'last_seq + 1' })
        .where('id = :taskId AND status = :waiting', { taskId, waiting: TaskStatus.Waiting })
        .returning('last_seq')
        .execute();
      const rows = result.raw as Array<{ last_seq: number }>;
      if (!rows.length) return null;
      await em
        .getRepository(TaskOutputEntity)
        .insert({ taskId, seq: rows[0].last_seq, time: new Date(), output: line });
      return em.getRepository(TaskEntity).findOneBy({ id: taskId });
    });
  }
}
