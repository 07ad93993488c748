import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ApiConfig } from '../../config';
import type { Alert } from './alert';
import { HTTP_CHANNELS, emailMessage, type HttpChannelName, type NotificationsConfig } from './channels';
import { postJson, redactedTarget } from './outgoing/guarded-http';
import { MailSender } from './outgoing/mail-sender';

/** What one delivery did: sent (with where to, secrets left out) or skipped (nothing to send). */
export type SendOutcome = { sent: true; target: string } | { sent: false; reason: string };

/** Sends one alert through one channel: the only place that talks to SMTP servers and chat/webhook endpoints. */
@Injectable()
export class NotificationSender implements OnModuleDestroy {
  private readonly config: NotificationsConfig;
  private readonly mail: MailSender;

  constructor(config: ApiConfig) {
    this.config = config.notifications;
    this.mail = new MailSender(this.config.email, this.config.timeoutMs);
  }

  onModuleDestroy(): void {
    this.mail.close();
  }

  /** Whether the channel is switched on globally. */
  enabled(channel: HttpChannelName | 'email'): boolean {
    return channel === 'email' ? this.config.email.enabled : HTTP_CHANNELS[channel].enabled(this.config);
  }

  async sendHttp(channel: HttpChannelName, alert: Alert): Promise<SendOutcome> {
    const message = HTTP_CHANNELS[channel].message(alert, this.config);
    if (!message) return { sent: false, reason: 'no chat id (project alert_chat or SEMAPHORE_TELEGRAM_CHAT)' };
    await postJson(message.url, message.body, {
      policy: { allowPrivate: this.config.allowPrivate, allowedHosts: this.config.allowedHosts },
      timeoutMs: this.config.timeoutMs,
    });
    return { sent: true, target: redactedTarget(message.url) };
  }

  async sendEmail(to: string, alert: Alert): Promise<SendOutcome> {
    await this.mail.send({ to, ...emailMessage(alert) });
    return { sent: true, target: `smtp://${this.config.email.host}:${this.config.email.port}` };
  }
}
