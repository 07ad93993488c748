import type { ApiConfig } from '../../../config';
import type { Alert } from '../alert';

export type NotificationsConfig = ApiConfig['notifications'];

/** The channels, in the order the test endpoint reports them. */
export const CHANNEL_NAMES = [
  'email',
  'telegram',
  'slack',
  'rocketchat',
  'microsoft_teams',
  'dingtalk',
  'gotify',
  'webhook',
] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];
export type HttpChannelName = Exclude<ChannelName, 'email'>;

/** One JSON POST. `url` may carry a secret (Telegram token, Gotify token, webhook key): never log it. */
export interface HttpMessage {
  url: URL;
  body: unknown;
}

/**
 * A chat or webhook channel: whether it is on, and the request for an alert (null: nothing to send, e.g. Telegram
 * without any chat id).
 */
export interface HttpChannel {
  name: HttpChannelName;
  enabled(config: NotificationsConfig): boolean;
  message(alert: Alert, config: NotificationsConfig): HttpMessage | null;
}
