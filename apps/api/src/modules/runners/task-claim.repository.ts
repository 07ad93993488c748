import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TaskStatus } from '@semaphore/models';
import {
  AccessKeyEntity,
  EnvironmentEntity,
  EnvironmentSecretEntity,
  hydrateJsonRow,
  hydrateRow,
  InventoryEntity,
  RepositoryEntity,
  RunnerEntity,
  TaskEntity,
  TaskOutputEntity,
  TemplateEntity,
  TemplateVaultEntity,
} from '@semaphore/persistence';
import type { ClaimContext } from './job-spec.builder';
import { knownHostsOptionKeys, type KnownHostsText } from './known-hosts';

type JsonRow = Record<string, unknown>;

interface ClaimTemplateRow {
  tpl: JsonRow;
  repo: JsonRow | null;
  repo_key: JsonRow | null;
  env: JsonRow | null;
  env_secrets: JsonRow[];
  vaults: Array<{ vault: JsonRow; key: JsonRow }>;
}

/** The queries of the claim endpoint: loading what a job needs, and the atomic `waiting -> starting` move. */
@Injectable()
export class TaskClaimRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findTask(id: number): Promise<TaskEntity | null> {
    return this.dataSource.getRepository(TaskEntity).findOneBy({ id });
  }

  /**
   * Everything a job of `task` needs (keys still encrypted), or null when its template is gone. Independent reads go
   * out at once (the claim is on the path from POST to the task's process); only an inventory that comes from the
   * template waits for it.
   */
  async loadContext(task: TaskEntity): Promise<ClaimContext | null> {
    const [template, ownInventory, { username, knownHosts }, buildTask] = await Promise.all([
      this.claimTemplate(task.templateId, task.projectId),
      task.inventoryId ? this.inventory(task.inventoryId, task.projectId) : null,
      this.usernameAndKnownHosts(task.userId, task.projectId),
      task.buildTaskId && !task.version
        ? this.dataSource.getRepository(TaskEntity).findOneBy({ id: task.buildTaskId, projectId: task.projectId })
        : null,
    ]);
    if (!template?.repository) return null;
    const inventory = task.inventoryId
      ? ownInventory
      : template.inventoryId
        ? await this.inventory(template.inventoryId, task.projectId)
        : null;
    return {
      task,
      template,
      inventory,
      username,
      buildVersion: buildTask?.version ?? null,
      knownHosts,
    };
  }

  /**
   * The template with its repository and the repository's key, its environment with the secrets, and its vaults with
   * their keys: one hand-written query (each joined row as one JSON column), as TypeORM's `find` with these relations
   * would return it, at a fraction of the CPU (this runs for every task).
   */
  async claimTemplate(templateId: number, projectId: number): Promise<TemplateEntity | null> {
    const rows = (await this.dataSource.query(
      `SELECT to_jsonb(tpl) AS tpl, to_jsonb(r) AS repo, to_jsonb(rk) AS repo_key, to_jsonb(e) AS env,
              (SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.id), '[]'::jsonb)
                 FROM project__environment_secret s WHERE s.environment_id = e.id) AS env_secrets,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('vault', to_jsonb(v), 'key', to_jsonb(vk)) ORDER BY v.id),
                      '[]'::jsonb)
                 FROM project__template_vault v JOIN access_key vk ON vk.id = v.vault_key_id
                WHERE v.template_id = tpl.id) AS vaults
         FROM project__template tpl
         LEFT JOIN project__repository r ON r.id = tpl.repository_id
         LEFT JOIN access_key rk ON rk.id = r.ssh_key_id
         LEFT JOIN project__environment e ON e.id = tpl.environment_id
        WHERE tpl.id = $1 AND tpl.project_id = $2`,
      [templateId, projectId],
    )) as ClaimTemplateRow[];
    if (!rows.length) return null;
    const row = rows[0];
    const em = this.dataSource.manager;
    const template = hydrateJsonRow(em, TemplateEntity, row.tpl);
    // A missing many-to-one relation is null, as TypeORM leaves it (its types say undefined).
    template.repository = (row.repo ? hydrateJsonRow(em, RepositoryEntity, row.repo) : null) as
      RepositoryEntity | undefined;
    if (template.repository)
      template.repository.sshKey = (row.repo_key ? hydrateJsonRow(em, AccessKeyEntity, row.repo_key) : null) as
        AccessKeyEntity | undefined;
    template.environment = (row.env ? hydrateJsonRow(em, EnvironmentEntity, row.env) : null) as
      EnvironmentEntity | undefined;
    if (template.environment) {
      template.environment.secrets = row.env_secrets.map((s) => hydrateJsonRow(em, EnvironmentSecretEntity, s));
    }
    template.vaults = row.vaults.map(({ vault, key }) => {
      const entity = hydrateJsonRow(em, TemplateVaultEntity, vault);
      entity.vaultKey = hydrateJsonRow(em, AccessKeyEntity, key);
      return entity;
    });
    return template;
  }

  private async inventory(id: number, projectId: number): Promise<InventoryEntity | null> {
    const rows = await this.dataSource.getRepository(InventoryEntity).find({
      where: { id, projectId },
      relations: { sshKey: true, becomeKey: true, repository: { sshKey: true } },
    });
    return rows[0] ?? null;
  }

  /** The known hosts options of a project's tasks, global first. */
  async knownHosts(projectId: number): Promise<KnownHostsText[]> {
    return (await this.usernameAndKnownHosts(null, projectId)).knownHosts;
  }

  /** The task user's username ('' when none) and the known hosts options of its project, global first: one query. */
  async usernameAndKnownHosts(
    userId: number | null,
    projectId: number,
  ): Promise<{ username: string; knownHosts: KnownHostsText[] }> {
    const keys = knownHostsOptionKeys(projectId);
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT username FROM "user" WHERE id = $1) AS username,
              (SELECT coalesce(json_agg(json_build_object('key', key, 'value', value)), '[]')
                 FROM option WHERE key = ANY($2)) AS options`,
      [userId, keys],
    )) as Array<{ username: string | null; options: KnownHostsText[] }>;
    const knownHosts = keys.flatMap((key) => row.options.filter((o) => o.key === key));
    return { username: row.username ?? '', knownHosts };
  }

  /**
   * The claim itself, one statement: only a `waiting` task whose runner tag is one of the runner's tags (or that has
   * none) and that is in the runner's project (for project runners) moves to `starting`, with this runner and a new
   * claim generation. Returns the claimed task as stored, or null when another runner, a stop or a tag mismatch got in
   * the way.
   */
  async claim(taskId: number, runner: RunnerEntity): Promise<TaskEntity | null> {
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
      .returning('*')
      .execute();
    const rows = result.raw as Array<Record<string, unknown>>;
    return rows.length ? hydrateRow(this.dataSource.manager, TaskEntity, rows[0]) : null;
  }

  /**
   * Gives back a claim that could not be completed for a reason that is not the task's (the database failed while
   * loading its context): `starting` under this claim goes back to `waiting`, runner cleared; the claim generation
   * stays raised, so nothing of the abandoned claim can report later.
   */
  async unclaim(task: TaskEntity): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ status: TaskStatus.Waiting, runnerId: null, claimedAt: null })
      .where('id = :id AND status = :starting AND claim_generation = :gen', {
        id: task.id,
        starting: TaskStatus.Starting,
        gen: task.claimGeneration,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async touchRunner(runnerId: number): Promise<void> {
    await this.dataSource.getRepository(RunnerEntity).update({ id: runnerId }, { lastSeen: () => 'now()' });
  }

  /**
   * Fails a claimed task that cannot be prepared (e.g. a key that does not decrypt) before its spec is handed out:
   * `error` with a code and one log line saying why, in one transaction, only if it is still `starting` under this
   * claim. Returns the updated task, or null.
   */
  async failClaimed(task: TaskEntity, errorCode: string, line: string): Promise<TaskEntity | null> {
    return this.dataSource.transaction(async (em) => {
      const result = await em
        .createQueryBuilder()
        .update(TaskEntity)
        // Never handed out: no runner is recorded for it.
        .set({ status: TaskStatus.Error, end: () => 'now()', errorCode, runnerId: null, lastSeq: () => 'last_seq + 1' })
        .where('id = :id AND status = :starting AND claim_generation = :gen', {
          id: task.id,
          starting: TaskStatus.Starting,
          gen: task.claimGeneration,
        })
        .returning('*')
        .execute();
      const rows = result.raw as Array<Record<string, unknown>>;
      if (!rows.length) return null;
      const failed = hydrateRow(em, TaskEntity, rows[0]);
      await em
        .getRepository(TaskOutputEntity)
        .insert({ taskId: task.id, seq: failed.lastSeq, time: new Date(), output: line });
      return failed;
    });
  }
}
