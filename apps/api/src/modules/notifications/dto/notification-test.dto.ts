import type { ChannelName } from '../channels';

/** One delivery of `POST P/notifications/test`. */
export class NotificationTestResultDto {
  channel!: ChannelName;
  /** E-mail only: the recipient (a member or admin with `alert` on). */
  user_id?: number;
  /** Whether the message was accepted by the receiver (SMTP server, 2xx answer). */
  sent!: boolean;
  /** Why nothing was sent (e.g. Telegram without a chat id). */
  reason?: string;
  /** Why sending failed (no address, path or token in it). */
  error?: string;
}

/** The answer of `POST P/notifications/test` (ours; upstream answers 204 with no body). */
export class NotificationTestResponseDto {
  results!: NotificationTestResultDto[];
}
