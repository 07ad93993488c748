import type { HttpReceiver, SmtpSink } from '@semaphore/testing';

/** The credentials the api is given for the alert channels; the receivers see them in paths and mails. */
export const CHANNEL_SECRETS = {
  gotifyToken: 'gotify-token',
  telegramToken: '123:T0KEN',
  sender: 'semaphore@example.test',
} as const;

/** The receiver path of each chat channel (Telegram's carries the bot token, Gotify's the token in the query). */
export const CHANNEL_PATHS = {
  slack: '/slack',
  rocketchat: '/rocketchat',
  microsoft_teams: '/teams',
  dingtalk: '/dingtalk',
  gotify: '/gotify/message',
  webhook: '/webhook',
  telegram: `/bot${CHANNEL_SECRETS.telegramToken}/sendMessage`,
} as const;

/**
 * The api environment that turns every alert channel on and points it at the loopback receivers: the chat channels at
 * `http` (by the paths above), e-mail at `smtp`, private addresses allowed. For the integration and e2e tests alike.
 */
export function channelEnvironment(http: HttpReceiver, smtp: SmtpSink): Record<string, string> {
  return {
    SEMAPHORE_NOTIFICATIONS_ALLOW_PRIVATE: 'true',
    SEMAPHORE_SLACK_ALERT: 'true',
    SEMAPHORE_SLACK_URL: `${http.url}${CHANNEL_PATHS.slack}`,
    SEMAPHORE_ROCKETCHAT_ALERT: 'true',
    SEMAPHORE_ROCKETCHAT_URL: `${http.url}${CHANNEL_PATHS.rocketchat}`,
    SEMAPHORE_MICROSOFT_TEAMS_ALERT: 'true',
    SEMAPHORE_MICROSOFT_TEAMS_URL: `${http.url}${CHANNEL_PATHS.microsoft_teams}`,
    SEMAPHORE_DINGTALK_ALERT: 'true',
    SEMAPHORE_DINGTALK_URL: `${http.url}${CHANNEL_PATHS.dingtalk}`,
    SEMAPHORE_GOTIFY_ALERT: 'true',
    SEMAPHORE_GOTIFY_URL: `${http.url}/gotify`,
    SEMAPHORE_GOTIFY_TOKEN: CHANNEL_SECRETS.gotifyToken,
    SEMAPHORE_WEBHOOK_ALERT: 'true',
    SEMAPHORE_WEBHOOK_URL: `${http.url}${CHANNEL_PATHS.webhook}`,
    SEMAPHORE_TELEGRAM_ALERT: 'true',
    SEMAPHORE_TELEGRAM_TOKEN: CHANNEL_SECRETS.telegramToken,
    SEMAPHORE_TELEGRAM_CHAT: 'global-chat',
    SEMAPHORE_TELEGRAM_API_URL: http.url,
    SEMAPHORE_EMAIL_ALERT: 'true',
    SEMAPHORE_EMAIL_HOST: '127.0.0.1',
    SEMAPHORE_EMAIL_PORT: String(smtp.port),
    SEMAPHORE_EMAIL_SENDER: CHANNEL_SECRETS.sender,
  };
}
