import { escapeHtml, type Alert } from '../alert';
import type { HttpChannel } from './channel';

/**
 * Upstream `telegram.tmpl` (parse mode HTML). Unlike upstream, the values are HTML-escaped: a `<` in a template name
 * or task message would otherwise make Telegram refuse the message.
 */
export function telegramPayload(alert: Alert, chatId: string) {
  const e = escapeHtml;
  return {
    chat_id: chatId,
    parse_mode: 'HTML',
    text:
      `<code>${e(alert.name)}</code>\n#${alert.task.id} <b>${e(alert.task.result)}</b> <code>${e(alert.task.version)}</code>` +
      ` - ${e(alert.task.desc)}\nby ${e(alert.author)}\n${e(alert.task.url)}`,
  };
}

/** The project's `alert_chat`, falling back to SEMAPHORE_TELEGRAM_CHAT; nothing is sent without either. */
export const telegramChannel: HttpChannel = {
  name: 'telegram',
  enabled: (c) => c.telegram.enabled,
  message: (alert, c) => {
    const chatId = alert.project.alertChat || c.telegram.chat;
    if (!chatId) return null;
    return {
      url: new URL(`${c.telegram.apiUrl}/bot${c.telegram.token}/sendMessage`),
      body: telegramPayload(alert, chatId),
    };
  },
};
