import { ConfigError, EnvReader, parseBool, parseInteger, parseList, parsePort, parseUrl } from '@semaphore/config';

/** An outgoing chat/webhook channel: on when its `*_ALERT` flag is, posting to `url`. */
export interface UrlChannelConfig {
  enabled: boolean;
  url: string;
}

/**
 * Task alerts (reference 6.3), with the upstream names mapped to `SEMAPHORE_*`. Secrets (SMTP password, Telegram and
 * Gotify tokens, webhook URLs that carry a key) stay in this object: they are never logged nor put in Redis.
 */
export interface NotificationsConfig {
  email: {
    enabled: boolean;
    host: string;
    port: number;
    username: string;
    password: string;
    sender: string;
    /** `SEMAPHORE_EMAIL_SECURE`: log in with username/password, over STARTTLS only (as upstream's PlainAuth). */
    secure: boolean;
    /** `SEMAPHORE_EMAIL_TLS`: implicit TLS from the first byte (SMTPS, usually port 465). */
    tls: boolean;
  };
  telegram: { enabled: boolean; token: string; chat: string; apiUrl: string };
  slack: UrlChannelConfig;
  rocketchat: UrlChannelConfig;
  microsoftTeams: UrlChannelConfig;
  dingtalk: UrlChannelConfig;
  gotify: UrlChannelConfig & { token: string };
  /** Ours: a documented JSON body for any receiver. */
  webhook: UrlChannelConfig;
  /** Outgoing requests may reach loopback, private and link-local addresses (never metadata ones). */
  allowPrivate: boolean;
  /** Host names, IP addresses or CIDR ranges that outgoing requests may reach whatever they are. */
  allowedHosts: string[];
  timeoutMs: number;
  /** Delivery attempts per message (BullMQ), with exponential backoff from `backoffMs`. */
  attempts: number;
  backoffMs: number;
}

const httpUrl = (s: string) => parseUrl(s, ['http:', 'https:']).toString();

function urlChannel(r: EnvReader, name: string): UrlChannelConfig {
  const enabled = r.withDefault(`SEMAPHORE_${name}_ALERT`, parseBool, false);
  const url = r.optional(`SEMAPHORE_${name}_URL`, httpUrl) ?? '';
  if (enabled && !url) throw new ConfigError(`SEMAPHORE_${name}_URL`, `is required when SEMAPHORE_${name}_ALERT is on`);
  return { enabled, url };
}

function requiredWhen(r: EnvReader, enabled: boolean, name: string, flag: string): string {
  const value = r.string(name, '');
  if (enabled && !value) throw new ConfigError(name, `is required when ${flag} is on`);
  return value;
}

export function loadNotificationsConfig(r: EnvReader): NotificationsConfig {
  const emailOn = r.withDefault('SEMAPHORE_EMAIL_ALERT', parseBool, false);
  const tls = r.withDefault('SEMAPHORE_EMAIL_TLS', parseBool, false);
  const telegramOn = r.withDefault('SEMAPHORE_TELEGRAM_ALERT', parseBool, false);
  const gotify = urlChannel(r, 'GOTIFY');
  return {
    email: {
      enabled: emailOn,
      host: requiredWhen(r, emailOn, 'SEMAPHORE_EMAIL_HOST', 'SEMAPHORE_EMAIL_ALERT'),
      port: r.withDefault('SEMAPHORE_EMAIL_PORT', parsePort, tls ? 465 : 25),
      username: r.string('SEMAPHORE_EMAIL_USERNAME', ''),
      password: r.string('SEMAPHORE_EMAIL_PASSWORD', ''),
      sender: requiredWhen(r, emailOn, 'SEMAPHORE_EMAIL_SENDER', 'SEMAPHORE_EMAIL_ALERT'),
      secure: r.withDefault('SEMAPHORE_EMAIL_SECURE', parseBool, false),
      tls,
    },
    telegram: {
      enabled: telegramOn,
      token: requiredWhen(r, telegramOn, 'SEMAPHORE_TELEGRAM_TOKEN', 'SEMAPHORE_TELEGRAM_ALERT'),
      chat: r.string('SEMAPHORE_TELEGRAM_CHAT', ''),
      apiUrl: r.withDefault('SEMAPHORE_TELEGRAM_API_URL', httpUrl, 'https://api.telegram.org/').replace(/\/*$/, ''),
    },
    slack: urlChannel(r, 'SLACK'),
    rocketchat: urlChannel(r, 'ROCKETCHAT'),
    microsoftTeams: urlChannel(r, 'MICROSOFT_TEAMS'),
    dingtalk: urlChannel(r, 'DINGTALK'),
    gotify: {
      ...gotify,
      url: gotify.url.replace(/\/*$/, ''),
      token: requiredWhen(r, gotify.enabled, 'SEMAPHORE_GOTIFY_TOKEN', 'SEMAPHORE_GOTIFY_ALERT'),
    },
    webhook: urlChannel(r, 'WEBHOOK'),
    allowPrivate: r.withDefault('SEMAPHORE_NOTIFICATIONS_ALLOW_PRIVATE', parseBool, false),
    allowedHosts: r.withDefault('SEMAPHORE_NOTIFICATIONS_ALLOWED_HOSTS', (s) => parseList(s.toLowerCase()), []),
    timeoutMs: r.withDefault('SEMAPHORE_NOTIFICATIONS_TIMEOUT_MS', (s) => parseInteger(s, 100, 120_000), 10_000),
    attempts: r.withDefault('SEMAPHORE_NOTIFICATIONS_ATTEMPTS', (s) => parseInteger(s, 1, 50), 6),
    backoffMs: r.withDefault('SEMAPHORE_NOTIFICATIONS_BACKOFF_MS', (s) => parseInteger(s, 10, 600_000), 2_000),
  };
}
