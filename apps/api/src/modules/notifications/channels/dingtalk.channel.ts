import type { Alert } from '../alert';
import type { HttpChannel } from './channel';
import { markdownText } from './markdown-text';

/** Upstream `dingtalk.tmpl`'s envelope: a markdown message. */
export function dingTalkPayload(alert: Alert) {
  return { msgtype: 'markdown', markdown: { title: `Task: ${alert.name}`, text: markdownText(alert) } };
}

export const dingTalkChannel: HttpChannel = {
  name: 'dingtalk',
  enabled: (c) => c.dingtalk.enabled,
  message: (alert, c) => ({ url: new URL(c.dingtalk.url), body: dingTalkPayload(alert) }),
};
