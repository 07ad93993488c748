import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { TaskStatus } from '@semaphore/models';
import type { ProjectEntity, RunnerEntity, TaskEntity } from '@semaphore/persistence';
import { badRequest, conflict, forbidden, notFound } from '../../common/api-errors';
import { ApiConfig } from '../../config';
import { EventsService } from '../events/events.service';
import { projectKnownHostsOption } from '../runners/known-hosts';
import { artifactPathSegments } from './artifact-paths';
import { ArtifactStore, type ArtifactEntry, type OpenedArtifact } from './artifact-store';
import { ArtifactErrorCode, ArtifactException, artifactHttpError } from './artifact.exception';
import { hasHostKey, recordedHostKey, recordedHostKeyProblem, withHostKey } from './recorded-host-key';
import { TaskArtifactsRepository } from './task-artifacts.repository';

/** The statuses of a task that a runner holds (claimed and not finished). */
const CLAIMED_STATUSES: ReadonlySet<TaskStatus> = new Set([
  TaskStatus.Starting,
  TaskStatus.Running,
  TaskStatus.Stopping,
  TaskStatus.WaitingConfirmation,
  TaskStatus.Confirmed,
]);

/** Artifact problems become their HTTP answers; anything else passes unchanged. */
function httpError(err: unknown): unknown {
  return err instanceof ArtifactException ? artifactHttpError(err) : err;
}

async function asHttp<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw httpError(err);
  }
}

function segmentsOf(path: unknown): string[] {
  try {
    return artifactPathSegments(path);
  } catch (err) {
    throw httpError(err);
  }
}

/**
 * Files a runner hands over from a task it holds (the runner's workspace is deleted afterwards), read back by the
 * project's members; and host keys a runner trusted on first use, added to the project's known hosts.
 */
@Injectable()
export class TaskArtifactsService {
  constructor(
    private readonly repo: TaskArtifactsRepository,
    private readonly store: ArtifactStore,
    private readonly config: ApiConfig,
    private readonly events: EventsService,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('TaskArtifacts');
  }

  /** The task, if `runner` holds it now: 404 unknown, 403 another runner's (or nobody's), 409 not running. */
  async requireClaimedTask(taskId: number, runner: RunnerEntity): Promise<TaskEntity> {
    const task = await this.repo.findTask(taskId);
    if (!task) throw notFound('Task');
    if (task.runnerId !== runner.id) throw forbidden('Task is not claimed by this runner');
    if (!CLAIMED_STATUSES.has(task.status)) throw conflict(`Task is not running (status ${task.status})`);
    return task;
  }

  /** Stores `body` as the artifact `path` of the task, replacing a file there. */
  async upload(
    runner: RunnerEntity,
    taskId: number,
    path: unknown,
    body: Readable,
    length: number | null,
  ): Promise<void> {
    const task = await this.requireClaimedTask(taskId, runner);
    const segments = segmentsOf(path);
    const max = this.config.artifacts.maxBytes;
    if (length !== null && length > max) {
      throw artifactHttpError(new ArtifactException(ArtifactErrorCode.TooLarge, `body is larger than ${max} bytes`));
    }
    const size = await asHttp(() => this.store.write(task.id, segments, body, max));
    this.logger.info(
      { event: 'artifact.stored', taskId: task.id, runnerId: runner.id, path: segments.join('/'), size },
      'artifact stored',
    );
  }

  /**
   * Appends a host key the runner accepted on first use to the project's known hosts option, unless the same entry
   * is there already. Logged (host and fingerprint: public) and kept in the project's events.
   */
  async recordHostKey(runner: RunnerEntity, taskId: number, line: string): Promise<void> {
    const task = await this.requireClaimedTask(taskId, runner);
    const problem = recordedHostKeyProblem(line);
    if (problem) throw badRequest(problem);
    const key = recordedHostKey(line);
    const added = await this.repo.updateOption(projectKnownHostsOption(task.projectId), (text) =>
      hasHostKey(text, key) ? null : withHostKey(text, key),
    );
    if (!added) return;
    this.logger.info(
      {
        event: 'known_host.recorded',
        taskId: task.id,
        runnerId: runner.id,
        projectId: task.projectId,
        host: key.host,
        fingerprint: key.fingerprint,
      },
      'host key trusted on first use recorded',
    );
    await this.events.log({
      projectId: task.projectId,
      userId: null,
      objectType: 'task',
      objectId: task.id,
      description: `Host key ${key.keyType} ${key.fingerprint} of ${key.host} trusted on first use by task ${task.id}`,
    });
  }

  async list(project: ProjectEntity, taskId: number): Promise<ArtifactEntry[]> {
    const task = await this.requireProjectTask(project, taskId);
    return this.store.list(task.id);
  }

  async open(project: ProjectEntity, taskId: number, path: unknown): Promise<OpenedArtifact> {
    const task = await this.requireProjectTask(project, taskId);
    const segments = segmentsOf(path);
    return asHttp(() => this.store.open(task.id, segments));
  }

  /** Removes the artifacts of a deleted task; a failure is logged, never thrown (the task is gone already). */
  async removeForDeletedTask(taskId: number): Promise<void> {
    try {
      await this.store.removeTask(taskId);
      this.logger.info({ event: 'artifacts.removed', taskId }, 'artifacts of a deleted task removed');
    } catch (err) {
      this.logger.warn({ err, taskId }, 'artifacts of a deleted task not removed');
    }
  }

  private async requireProjectTask(project: ProjectEntity, taskId: number): Promise<TaskEntity> {
    const task = await this.repo.findProjectTask(project.id, taskId);
    if (!task) throw notFound('Task');
    return task;
  }
}
