import { EnvReader } from '@semaphore/config';
import { loadNotificationsConfig } from './notifications.config';

const load = (env: Record<string, string>) => loadNotificationsConfig(new EnvReader(env));

describe('loadNotificationsConfig', () => {
  it('has every channel off, private addresses refused and Telegram at its public API by default', () => {
    const c = load({});
    expect(
      [c.email, c.telegram, c.slack, c.rocketchat, c.microsoftTeams, c.dingtalk, c.gotify, c.webhook].map(
        (x) => x.enabled,
      ),
    ).toEqual([false, false, false, false, false, false, false, false]);
    expect(c.telegram.apiUrl).toBe('https://api.telegram.org');
    expect(c.allowPrivate).toBe(false);
    expect(c.email.port).toBe(25);
  });

  it('maps the upstream names', () => {
    const c = load({
      SEMAPHORE_EMAIL_ALERT: 'true',
      SEMAPHORE_EMAIL_HOST: 'smtp.example.test',
      SEMAPHORE_EMAIL_PORT: '587',
      SEMAPHORE_EMAIL_USERNAME: 'u',
      SEMAPHORE_EMAIL_PASSWORD: 'p',
      SEMAPHORE_EMAIL_SENDER: 'semaphore@example.test',
      SEMAPHORE_EMAIL_SECURE: 'yes',
      SEMAPHORE_TELEGRAM_ALERT: '1',
      SEMAPHORE_TELEGRAM_TOKEN: '123:abc',
      SEMAPHORE_TELEGRAM_CHAT: '-100',
      SEMAPHORE_TELEGRAM_API_URL: 'http://127.0.0.1:8080/',
      SEMAPHORE_GOTIFY_ALERT: 'true',
      SEMAPHORE_GOTIFY_URL: 'https://push.example.test/',
      SEMAPHORE_GOTIFY_TOKEN: 'tok',
      SEMAPHORE_MICROSOFT_TEAMS_ALERT: 'true',
      SEMAPHORE_MICROSOFT_TEAMS_URL: 'https://teams.example.test/hook',
      SEMAPHORE_NOTIFICATIONS_ALLOWED_HOSTS: 'Chat.Internal, 10.0.0.0/8',
    });
    expect(c.email).toEqual({
      enabled: true,
      host: 'smtp.example.test',
      port: 587,
      username: 'u',
      password: 'p',
      sender: 'semaphore@example.test',
      secure: true,
      tls: false,
    });
    expect(c.telegram).toEqual({ enabled: true, token: '123:abc', chat: '-100', apiUrl: 'http://127.0.0.1:8080' });
    expect(c.gotify).toEqual({ enabled: true, url: 'https://push.example.test', token: 'tok' });
    expect(c.microsoftTeams).toEqual({ enabled: true, url: 'https://teams.example.test/hook' });
    expect(c.allowedHosts).toEqual(['chat.internal', '10.0.0.0/8']);
  });

  it('refuses an enabled channel without its URL, and non-http URLs, naming the variable', () => {
    expect(() => load({ SEMAPHORE_SLACK_ALERT: 'true' })).toThrow(
      'SEMAPHORE_SLACK_URL is required when SEMAPHORE_SLACK_ALERT is on',
    );
    expect(() => load({ SEMAPHORE_WEBHOOK_URL: 'ftp://x' })).toThrow('SEMAPHORE_WEBHOOK_URL must be a URL');
    expect(() => load({ SEMAPHORE_EMAIL_ALERT: 'true', SEMAPHORE_EMAIL_SENDER: 'a@b' })).toThrow(
      'SEMAPHORE_EMAIL_HOST is required',
    );
  });
});
