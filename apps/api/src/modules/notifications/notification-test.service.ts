import { Injectable } from '@nestjs/common';
import type { ProjectEntity } from '@semaphore/persistence';
import { conflict } from '../../common/api-errors';
import { HTTP_CHANNELS, type HttpChannelName } from './channels';
import type { NotificationTestResponseDto, NotificationTestResultDto } from './dto/notification-test.dto';
import { NotificationSender, type SendOutcome } from './notification-sender';
import { NotificationsRepository } from './notifications.repository';
import { TaskAlertsService } from './task-alerts.service';

function result(base: Omit<NotificationTestResultDto, 'sent'>, outcome: SendOutcome): NotificationTestResultDto {
  return outcome.sent ? { ...base, sent: true } : { ...base, sent: false, reason: outcome.reason };
}

/**
 * `POST P/notifications/test`: upstream's test alert ("Test Notification", success) through every enabled channel,
 * now and not through the queue, so that the answer can say what each receiver did. E-mail goes to every member or
 * admin with `alert` on, as for a failed task.
 */
@Injectable()
export class NotificationTestService {
  constructor(
    private readonly sender: NotificationSender,
    private readonly alerts: TaskAlertsService,
    private readonly repo: NotificationsRepository,
  ) {}

  async sendTest(project: ProjectEntity): Promise<NotificationTestResponseDto> {
    if (!project.alert) throw conflict('alerts are off for this project (alert is false)');
    const alert = this.alerts.testAlert(project);
    const runs: Array<Promise<NotificationTestResultDto>> = [];
    const attempt = async (
      base: Omit<NotificationTestResultDto, 'sent'>,
      send: () => Promise<SendOutcome>,
    ): Promise<NotificationTestResultDto> => {
      try {
        return result(base, await send());
      } catch (err) {
        return { ...base, sent: false, error: err instanceof Error ? err.message : String(err) };
      }
    };
    if (this.sender.enabled('email')) {
      for (const user of await this.repo.alertRecipients(project.id)) {
        runs.push(attempt({ channel: 'email', user_id: user.id }, () => this.sender.sendEmail(user.email, alert)));
      }
    }
    for (const channel of Object.keys(HTTP_CHANNELS) as HttpChannelName[]) {
      if (this.sender.enabled(channel)) runs.push(attempt({ channel }, () => this.sender.sendHttp(channel, alert)));
    }
    return { results: await Promise.all(runs) };
  }
}
