import { TaskStatus } from '@semaphore/models';
import { buildAlert, formatResult, type Alert } from '../alert';
import { dingTalkPayload } from './dingtalk.channel';
import { emailMessage } from './email.channel';
import { gotifyChannel, gotifyPayload } from './gotify.channel';
import { microsoftTeamsPayload } from './microsoft-teams.channel';
import { rocketChatPayload } from './rocketchat.channel';
import { slackPayload } from './slack.channel';
import { telegramChannel, telegramPayload } from './telegram.channel';
import { webhookPayload } from './webhook.channel';
import type { NotificationsConfig } from './channel';

function alert(status: TaskStatus, over: { version?: string; author?: string | null; chat?: string | null } = {}) {
  return buildAlert({
    webRoot: 'https://semaphore.example.test/',
    taskId: 42,
    status,
    message: 'deploy <b>v2</b>',
    version: over.version ?? '1.2.3',
    authorName: over.author === undefined ? 'Jane Doe' : over.author,
    template: { id: 7, name: 'Deploy "web"' },
    project: { id: 3, name: 'Shop', alertChat: over.chat ?? null },
  });
}

const URL_42 = 'https://semaphore.example.test/project/3/templates/7?t=42';

describe('alert data', () => {
  it('formats results with the emoji and upper-case status', () => {
    expect(formatResult(TaskStatus.Error)).toBe('❌ERROR');
    expect(formatResult(TaskStatus.Success)).toBe('✅SUCCESS');
    expect(formatResult(TaskStatus.WaitingConfirmation)).toBe('⚠️WAITING_CONFIRMATION');
  });

  it('builds the template data: URL from the web root, author or —', () => {
    const a: Alert = alert(TaskStatus.Error, { author: null });
    expect(a).toMatchObject({
      name: 'Deploy "web"',
      author: '—',
      task: { id: '42', url: URL_42, result: '❌ERROR', version: '1.2.3', desc: 'deploy <b>v2</b>' },
    });
  });
});

describe('channel payloads (exact JSON)', () => {
  it('Slack: one attachment, color by status, Version field only with a version', () => {
    expect(slackPayload(alert(TaskStatus.Error))).toEqual({
      attachments: [
        {
          title: 'Task: Deploy "web"',
          title_link: URL_42,
          text: 'execution #42, status: ❌ERROR!',
          color: 'danger',
          mrkdwn_in: ['text'],
          fields: [
            { title: 'Author', value: 'Jane Doe', short: true },
            { title: 'Version', value: '1.2.3', short: true },
          ],
        },
      ],
    });
    const success = slackPayload(alert(TaskStatus.Success, { version: '' }));
    expect(success.attachments[0].color).toBe('good');
    expect(success.attachments[0].fields).toEqual([{ title: 'Author', value: 'Jane Doe', short: true }]);
    expect(slackPayload(alert(TaskStatus.WaitingConfirmation)).attachments[0].color).toBe('');
  });

  it('Rocket.Chat: text and one attachment', () => {
    expect(rocketChatPayload(alert(TaskStatus.Success))).toEqual({
      text: 'execution #42, status: ✅SUCCESS!',
      attachments: [
        {
          title: 'Task: Deploy "web"',
          title_link: URL_42,
          text: 'execution #42, status: ✅SUCCESS!',
          color: '#00EE00',
        },
      ],
    });
    expect(rocketChatPayload(alert(TaskStatus.Error)).attachments[0].color).toBe('#EE0000');
  });

  it('Telegram: HTML parse mode, values escaped', () => {
    expect(telegramPayload(alert(TaskStatus.Error), '-100123')).toEqual({
      chat_id: '-100123',
      parse_mode: 'HTML',
      text:
        '<code>Deploy &#34;web&#34;</code>\n#42 <b>❌ERROR</b> <code>1.2.3</code> - deploy &#60;b&#62;v2&#60;/b&#62;\n' +
        `by Jane Doe\n${URL_42}`,
    });
  });

  it('Telegram: the project chat wins over the global one; no chat, no message; token in the path', () => {
    const config = { telegram: { enabled: true, token: '123:abc', chat: 'global', apiUrl: 'http://127.0.0.1:9' } };
    const c = config as unknown as NotificationsConfig;
    const own = telegramChannel.message(alert(TaskStatus.Error, { chat: 'project-chat' }), c);
    expect(own?.url.toString()).toBe('http://127.0.0.1:9/bot123:abc/sendMessage');
    expect((own?.body as { chat_id: string }).chat_id).toBe('project-chat');
    expect((telegramChannel.message(alert(TaskStatus.Error), c)?.body as { chat_id: string }).chat_id).toBe('global');
    config.telegram.chat = '';
    expect(telegramChannel.message(alert(TaskStatus.Error), c)).toBeNull();
  });

  it('Microsoft Teams: an Adaptive Card 1.4', () => {
    expect(microsoftTeamsPayload(alert(TaskStatus.Error))).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: 'Ansible Task Template Execution by: Jane Doe' },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Task:', value: 'Deploy "web"' },
                  { title: 'Status:', value: '❌ERROR' },
                  { title: 'Task ID:', value: '42' },
                ],
                separator: true,
              },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Task URL', url: URL_42 }],
            msteams: { width: 'Full' },
          },
        },
      ],
    });
  });

  const markdown =
    'execution #42, status: ❌ERROR!\n\n- Author: Jane Doe\n- Version: 1.2.3\n- Message: deploy <b>v2</b>\n' +
    `- [Task #42](${URL_42})`;

  it('DingTalk: a markdown message', () => {
    expect(dingTalkPayload(alert(TaskStatus.Error))).toEqual({
      msgtype: 'markdown',
      markdown: { title: 'Task: Deploy "web"', text: markdown },
    });
  });

  it('Gotify: title, markdown message and display extra; token in the query', () => {
    expect(gotifyPayload(alert(TaskStatus.Error))).toEqual({
      title: 'Task: Deploy "web"',
      message: markdown,
      extras: { 'client::display': { contentType: 'text/markdown' } },
    });
    const c = { gotify: { enabled: true, url: 'https://push.example.test/gotify', token: 't&k' } };
    const msg = gotifyChannel.message(alert(TaskStatus.Error), c as unknown as NotificationsConfig);
    expect(msg?.url.toString()).toBe('https://push.example.test/gotify/message?token=t%26k');
  });

  it('webhook: our documented body', () => {
    expect(webhookPayload(alert(TaskStatus.WaitingConfirmation))).toEqual({
      event: 'task_status',
      task_id: 42,
      status: 'waiting_confirmation',
      result: '⚠️WAITING_CONFIRMATION',
      template: { id: 7, name: 'Deploy "web"' },
      project: { id: 3, name: 'Shop' },
      url: URL_42,
      author: 'Jane Doe',
      version: '1.2.3',
      message: 'deploy <b>v2</b>',
    });
  });

  it('e-mail: subject and escaped HTML body', () => {
    expect(emailMessage(alert(TaskStatus.Error))).toEqual({
      subject: `Task 'Deploy "web"' failed`,
      html:
        `<p>Task 42 with template 'Deploy &#34;web&#34;' has failed!</p>\n` +
        `<p>Task Log: <a href="${URL_42}">Link</a></p>\n`,
    });
  });
});
