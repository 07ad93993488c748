import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CliError, type CliOutput } from './cli-output';

/** One answer at a time from a stream (a terminal or piped answers); an ended stream answers every default. */
export class AnswerReader {
  private readonly lines: AsyncIterator<string>;
  private ended = false;

  constructor(
    input: Readable,
    private readonly out: CliOutput,
  ) {
    this.lines = createInterface({ input, terminal: false })[Symbol.asyncIterator]();
  }

  async ask(question: string, fallback = ''): Promise<string> {
    this.out.line(fallback ? `${question} (default ${fallback}):` : `${question}:`);
    if (this.ended) return fallback;
    const next = await this.lines.next();
    if (next.done) this.ended = true;
    const answer = next.done ? '' : next.value.trim();
    return answer || fallback;
  }

  async yes(question: string): Promise<boolean> {
    const answer = (await this.ask(`${question} (yes/no)`, 'no')).toLowerCase();
    if (['yes', 'y'].includes(answer)) return true;
    if (['no', 'n'].includes(answer)) return false;
    throw new CliError(`answer yes or no to "${question}", not "${answer}"`);
  }
}

export interface SetupAnswers {
  config: Record<string, unknown>;
  configDir: string;
}

/**
 * Upstream's setup questions in upstream's order, so that an answers file written for `semaphore setup -` works
 * here: database (PostgreSQL only), tmp path, public URL, alert channels, LDAP (refused), config directory.
 * The config gets freshly generated cookie and access key secrets.
 */
export async function askServerConfig(ask: AnswerReader, out: CliOutput): Promise<SetupAnswers> {
  const dialect = await ask.ask('What database to use: 1 - MySQL, 2 - BoltDB, 3 - PostgreSQL', '3');
  if (dialect !== '3') throw new CliError(`database ${dialect} is not supported: this server runs on PostgreSQL (3)`);
  const postgres = {
    host: await ask.ask('db Hostname', '127.0.0.1:5432'),
    user: await ask.ask('db User', 'postgres'),
    pass: await ask.ask('db Password', ''),
    name: await ask.ask('db Name', 'semaphore'),
  };
  const config: Record<string, unknown> = { dialect: 'postgres', postgres };
  config.tmp_path = await ask.ask('Playbook path', '/tmp/semaphore');
  const webHost = await ask.ask('Public URL (optional, example: https://example.com/semaphore)', '');
  if (webHost) config.web_host = webHost;
  if (await ask.yes('Enable email alerts?')) {
    config.email_alert = true;
    config.email_host = await ask.ask('Mail server host', 'localhost');
    config.email_port = await ask.ask('Mail server port', '25');
    config.email_sender = await ask.ask('Mail sender address', 'semaphore@localhost');
  }
  if (await ask.yes('Enable telegram alerts?')) {
    config.telegram_alert = true;
    config.telegram_token = await ask.ask('Telegram bot token (you can get it from @BotFather)');
    config.telegram_chat = await ask.ask('Telegram chat ID');
  }
  for (const [key, title] of [
    ['slack', 'slack'],
    ['rocketchat', 'Rocket.chat'],
    ['microsoft_teams', 'Microsoft Teams'],
  ] as const) {
    if (await ask.yes(`Enable ${title} alerts?`)) {
      config[`${key}_alert`] = true;
      config[`${key}_url`] = await ask.ask(`${title} Webhook URL`);
    }
  }
  if (await ask.yes('Enable LDAP authentication?')) {
    out.error('LDAP is not supported by this server: skipped');
  }
  const configDir = await ask.ask('Config output directory', process.cwd());
  config.redis_url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  config.cookie_hash = randomBytes(32).toString('base64');
  config.cookie_encryption = randomBytes(32).toString('base64');
  config.access_key_encryption = randomBytes(32).toString('base64');
  return { config, configDir };
}
