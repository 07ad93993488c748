import { Injectable } from '@nestjs/common';
import { TaskStatus, TemplateType } from '@semaphore/models';
import type { ProjectEntity, TaskEntity, TemplateEntity } from '@semaphore/persistence';
import { ApiConfig } from '../../config';
import { buildAlert, type Alert } from './alert';
import { NotificationsRepository } from './notifications.repository';

/** A task's alert with the rows it came from (the preconditions read them). */
export interface TaskAlert {
  alert: Alert;
  task: TaskEntity;
  template: TemplateEntity;
  project: ProjectEntity;
}

/** Builds the alert data of reference 6.3 from the database. */
@Injectable()
export class TaskAlertsService {
  constructor(
    private readonly repo: NotificationsRepository,
    private readonly config: ApiConfig,
  ) {}

  /** The alert of `taskId` reaching `status` (the status the alert is about, not the row's current one). */
  async forTask(taskId: number, status: TaskStatus): Promise<TaskAlert | null> {
    const task = await this.repo.findTask(taskId);
    if (!task) return null;
    const [template, project] = await Promise.all([
      this.repo.findTemplate(task.projectId, task.templateId),
      this.repo.findProject(task.projectId),
    ]);
    if (!template || !project) return null;
    const alert = buildAlert({
      webRoot: this.config.http.webRoot,
      taskId: task.id,
      status,
      message: task.message,
      version: await this.version(task, template),
      authorName: await this.repo.userName(task.userId),
      template: { id: template.id, name: template.name },
      project: { id: project.id, name: project.name, alertChat: project.alertChat },
    });
    return { alert, task, template, project };
  }

  /** Upstream's test alert: template "Test Notification" (id 0), task 0, success, no author. */
  testAlert(project: ProjectEntity): Alert {
    return buildAlert({
      webRoot: this.config.http.webRoot,
      taskId: 0,
      status: TaskStatus.Success,
      message: 'This is a test notification',
      version: '',
      authorName: null,
      template: { id: 0, name: 'Test Notification' },
      project: { id: project.id, name: project.name, alertChat: project.alertChat },
    });
  }

  private async version(task: TaskEntity, template: TemplateEntity): Promise<string> {
    if (task.version) return task.version;
    if (template.type === TemplateType.Default) return '';
    const incoming = await this.repo.incomingVersion(task);
    return incoming ? `build ${incoming}` : '';
  }
}
