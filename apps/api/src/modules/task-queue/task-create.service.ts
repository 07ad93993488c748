import { Injectable, Logger } from '@nestjs/common';
import { Permission, type ProjectRole, RUNNER_TAG_PATTERN, roleCan, TaskStatus, TemplateType } from '@semaphore/models';
import type { ProjectEntity, TaskEntity, TemplateEntity, UserEntity } from '@semaphore/persistence';
import { badRequest } from '../../common/api-errors';
import { SecretCipher } from '../../crypto';
import { toWireTime } from '../../wire';
import { EventsService } from '../events/events.service';
import { nextBuildVersion } from './build-version';
import type { CreateTaskDto } from './dto/create-task.dto';
import { TaskAdmissionService } from './task-admission.service';
import { parseJsonObjectText, storedArguments, taskOverrideProblem } from './task-input';
import { type NewTaskRow, type QueuedLine, queuedLineText, TaskQueueRepository } from './task-queue.repository';
import { sealTaskSecret } from './task-secret';
import { TaskStreamPublisher } from './task-stream.publisher';

/**
 * Creating tasks: `POST P/tasks` and build -> deploy autorun. A task is inserted `waiting` with its first output line
 * ("Task N added to queue", seq 1), announced on the event stream, registered for admission and, when it fits the
 * limits, released to its runner tag's queue.
 */
@Injectable()
export class TaskCreateService {
  private readonly logger = new Logger(TaskCreateService.name);

  constructor(
    private readonly repo: TaskQueueRepository,
    private readonly admission: TaskAdmissionService,
    private readonly publisher: TaskStreamPublisher,
    private readonly events: EventsService,
    private readonly cipher: SecretCipher,
  ) {}

  /** `POST P/tasks` after DTO validation; a retry (`TaskRetryService`) passes the task it retries. */
  async createFromRequest(
    project: ProjectEntity,
    user: UserEntity,
    role: ProjectRole | null,
    body: CreateTaskDto,
    links: { retryOfTaskId?: number } = {},
  ): Promise<TaskEntity> {
    if (body.project_id !== undefined && body.project_id !== null && body.project_id !== project.id) {
      throw badRequest('project_id must be the project of the URL');
    }
    const template = await this.repo.findTemplate(project.id, body.template_id);
    if (!template) throw badRequest('template_id must be a template of this project');
    const canManage = user.admin || (role !== null && roleCan(role, Permission.ManageProjectResources));
    const problem = taskOverrideProblem(body, template, canManage);
    if (problem) throw badRequest(problem);
    const inventoryId = body.inventory_id ?? null;
    const runnerTag = await this.runnerTag(project.id, inventoryId ?? template.inventoryId, template, inventoryId);
    await this.checkBuildTask(project.id, template, body.build_task_id ?? null);
    const publicParams: Record<string, unknown> = {};
    if (body.params?.plan !== undefined) publicParams.plan = body.params.plan;
    if (body.params?.auto_approve !== undefined) publicParams.auto_approve = body.params.auto_approve;
    const params = sealTaskSecret(this.cipher, publicParams, parseJsonObjectText(body.secret));
    const row: NewTaskRow = {
      ...defaultTaskRow(template),
      debug: body.debug ?? false,
      dryRun: body.dry_run ?? false,
      diff: body.diff ?? false,
      playbook: body.playbook ?? '',
      environment: body.environment ? body.environment : '{}',
      hostsLimit: body.limit ?? '',
      arguments: storedArguments(body, template),
      gitBranch: body.git_branch ? body.git_branch : null,
      userId: user.id,
      message: body.message ?? '',
      commitHash: body.commit_hash ? body.commit_hash.toLowerCase() : null,
      buildTaskId: body.build_task_id ?? null,
      inventoryId,
      params: Object.keys(params).length > 0 ? params : null,
      runnerTag,
      retryOfTaskId: links.retryOfTaskId ?? null,
    };
    return this.enqueue(project, template, row);
  }

  /** A schedule's fire time: a task of the schedule's template, recording `schedule_id`. */
  async createScheduledTask(template: TemplateEntity, scheduleId: number): Promise<TaskEntity> {
    const project = await this.repo.findProject(template.projectId);
    if (!project) throw badRequest('the schedule has no project');
    const runnerTag = await this.runnerTag(project.id, template.inventoryId, template, null);
    return this.enqueue(project, template, { ...defaultTaskRow(template), scheduleId, runnerTag });
  }

  /**
   * An incoming webhook that matched: a task of the integration's template with the extracted values as its
   * `environment` (extra variables, merged with the template environment as for any task), `integration_id` recorded,
   * and the integration's terraform `plan` / `auto_approve` task params.
   */
  async createIntegrationTask(
    template: TemplateEntity,
    integrationId: number,
    values: Record<string, string>,
    taskParams: Record<string, unknown> | null,
  ): Promise<TaskEntity> {
    const project = await this.repo.findProject(template.projectId);
    if (!project) throw badRequest('the integration has no project');
    const runnerTag = await this.runnerTag(project.id, template.inventoryId, template, null);
    const params: Record<string, unknown> = {};
    for (const key of ['plan', 'auto_approve'])
      if (typeof taskParams?.[key] === 'boolean') params[key] = taskParams[key];
    return this.enqueue(project, template, {
      ...defaultTaskRow(template),
      integrationId,
      environment: JSON.stringify(values),
      params: Object.keys(params).length > 0 ? params : null,
      runnerTag,
    });
  }

  /** Build -> deploy autorun: a task for every autorun deploy template of a successful build. */
  async createAutorunTasks(buildTask: TaskEntity): Promise<TaskEntity[]> {
    const project = await this.repo.findProject(buildTask.projectId);
    if (!project) return [];
    const created: TaskEntity[] = [];
    for (const template of await this.repo.autorunTemplates(project.id, buildTask.templateId)) {
      const runnerTag = await this.runnerTag(project.id, template.inventoryId, template, null);
      created.push(
        await this.enqueue(project, template, { ...defaultTaskRow(template), buildTaskId: buildTask.id, runnerTag }),
      );
    }
    return created;
  }

  /** Inserts, announces and admits a task. Redis trouble after the insert is left to the sweep. */
  private async enqueue(project: ProjectEntity, template: TemplateEntity, row: NewTaskRow): Promise<TaskEntity> {
    const line: QueuedLine = { time: new Date(), before: 'Task ', after: ' added to queue' };
    const buildVersion =
      template.type === TemplateType.Build
        ? (previous: string | null) => nextBuildVersion(template.startVersion, previous)
        : undefined;
    const task = await this.repo.insertQueuedTask(row, line, buildVersion);
    // The audit event and the Redis side (announce, register, admit) do not depend on each other: at once.
    await Promise.all([
      this.events.log({
        projectId: project.id,
        userId: task.userId,
        objectType: 'task',
        objectId: task.id,
        description: `Task ID ${task.id} queued for running`,
      }),
      this.announceAndAdmit(task, template, project, line.time, queuedLineText(line, task.id)),
    ]);
    return task;
  }

  private async announceAndAdmit(
    task: TaskEntity,
    template: TemplateEntity,
    project: ProjectEntity,
    time: Date,
    firstLine: string,
  ): Promise<void> {
    try {
      // Both at once on the one Redis connection: the announcement is sent first, so Redis has it before the job
      // exists (and so before any event of the runner that will claim it).
      await Promise.all([
        this.publisher.appendApiBatch(task, [
          { type: 'log', seq: 1, time: toWireTime(time), output: firstLine },
          TaskStreamPublisher.updateEvent(task),
        ]),
        this.admission.registerAndDispatch(task, template.allowParallelTasks, project.maxParallelTasks),
      ]);
    } catch (error) {
      this.logger.warn(
        { taskId: task.id, err: error },
        'task queued in PostgreSQL; Redis failed, the sweep will admit it',
      );
    }
  }

  /** The inventory's runner tag wins over the template's; the override inventory must be of this project. */
  private async runnerTag(
    projectId: number,
    effectiveInventoryId: number | null,
    template: TemplateEntity,
    overrideInventoryId: number | null,
  ): Promise<string | null> {
    let tag: string | null = null;
    if (effectiveInventoryId !== null) {
      const inventory = await this.repo.findInventory(projectId, effectiveInventoryId);
      if (!inventory && overrideInventoryId !== null)
        throw badRequest('inventory_id must be an inventory of this project');
      tag = inventory?.runnerTag || null;
    }
    tag = tag || template.runnerTag || null;
    if (tag !== null && !RUNNER_TAG_PATTERN.test(tag)) {
      throw badRequest(`runner tag ${JSON.stringify(tag)} of the inventory or template is not valid`);
    }
    return tag;
  }

  /** A deploy task's build task: a successful task of the template's build template, in this project. */
  private async checkBuildTask(projectId: number, template: TemplateEntity, buildTaskId: number | null): Promise<void> {
    if (buildTaskId === null) return;
    const build = await this.repo.findTask(projectId, buildTaskId);
    if (!build || template.buildTemplateId === null || build.templateId !== template.buildTemplateId) {
      throw badRequest('build_task_id must be a task of the build template of this deploy template');
    }
    if (build.status !== TaskStatus.Success) throw badRequest('build_task_id must be a successful build task');
  }
}

/** The fields every new task starts with (server-owned ones included). */
function defaultTaskRow(template: TemplateEntity): NewTaskRow {
  return {
    templateId: template.id,
    projectId: template.projectId,
    debug: false,
    dryRun: false,
    diff: false,
    playbook: '',
    environment: '{}',
    hostsLimit: '',
    arguments: null,
    gitBranch: null,
    userId: null,
    integrationId: null,
    scheduleId: null,
    start: null,
    end: null,
    message: '',
    commitHash: null,
    commitMessage: '',
    buildTaskId: null,
    version: null,
    inventoryId: null,
    params: null,
    runnerTag: null,
    runnerId: null,
    claimGeneration: 0,
    claimedAt: null,
    errorCode: null,
    retryOfTaskId: null,
  };
}
