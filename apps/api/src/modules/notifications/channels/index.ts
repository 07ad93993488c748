import type { HttpChannel, HttpChannelName } from './channel';
import { dingTalkChannel } from './dingtalk.channel';
import { gotifyChannel } from './gotify.channel';
import { microsoftTeamsChannel } from './microsoft-teams.channel';
import { rocketChatChannel } from './rocketchat.channel';
import { slackChannel } from './slack.channel';
import { telegramChannel } from './telegram.channel';
import { webhookChannel } from './webhook.channel';

export const HTTP_CHANNELS: Readonly<Record<HttpChannelName, HttpChannel>> = {
  telegram: telegramChannel,
  slack: slackChannel,
  rocketchat: rocketChatChannel,
  microsoft_teams: microsoftTeamsChannel,
  dingtalk: dingTalkChannel,
  gotify: gotifyChannel,
  webhook: webhookChannel,
};

export { CHANNEL_NAMES } from './channel';
export type { ChannelName, HttpChannel, HttpChannelName, HttpMessage, NotificationsConfig } from './channel';
export { emailMessage } from './email.channel';
export type { EmailMessage } from './email.channel';
