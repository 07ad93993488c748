import type { WireApiToken, WireCurrentUser, WireUser, WireUserSummary } from '@semaphore/models';
import type { ApiTokenEntity, UserEntity } from '@semaphore/persistence';
import { compact, readBoolean, readString, wireBody } from './input.wire';
import { toWireTime } from './time.wire';

/** A user; the password hash and TOTP fields are never output. */
export function toWireUser(user: UserEntity): WireUser {
  return {
    id: user.id,
    created: toWireTime(user.created),
    username: user.username,
    name: user.name,
    email: user.email,
    admin: user.admin,
    external: user.external,
    alert: user.alert,
  };
}

/** `GET /api/user`, with `totp_enabled` (an addition to upstream's shape) when the caller passes it. */
export type WireCurrentUserOut = WireCurrentUser & { totp_enabled?: boolean };

/** `GET /api/user`: the user plus `can_create_project` (and `totp_enabled` last, when given). */
export function toWireCurrentUser(
  user: UserEntity,
  extras: { canCreateProject: boolean; totpEnabled?: boolean },
): WireCurrentUserOut {
  const wire: WireCurrentUserOut = { ...toWireUser(user), can_create_project: extras.canCreateProject };
  if (extras.totpEnabled !== undefined) wire.totp_enabled = extras.totpEnabled;
  return wire;
}

/** `POST /api/users/{id}/2fas/totp`: shown once, to the user enrolling. `id` is the user id (one TOTP per user). */
export interface WireTotpEnrollment {
  id: number;
  url: string;
  secret: string;
  recovery_codes: string[];
}

export function toWireTotpEnrollment(
  userId: number,
  enrollment: { url: string; secret: string; recovery_codes: string[] },
): WireTotpEnrollment {
  return { id: userId, url: enrollment.url, secret: enrollment.secret, recovery_codes: enrollment.recovery_codes };
}

/** What non-admins see of other users. */
export function toWireUserSummary(user: UserEntity): WireUserSummary {
  return { id: user.id, username: user.username, name: user.name };
}

export type UserWireFields = Partial<Pick<UserEntity, 'username' | 'name' | 'email' | 'admin' | 'alert'>>;

/**
 * The user fields of a `UserWithPwd` body. `id`, `created` and `external` are server-owned and never taken from a body;
 * whether the caller may set `admin` is the service's decision. The password is read with `passwordFromWireUser`.
 */
export function fromWireUser(body: unknown): UserWireFields {
  const b = wireBody(body);
  return compact({
    username: readString(b, 'username'),
    name: readString(b, 'name'),
    email: readString(b, 'email'),
    admin: readBoolean(b, 'admin'),
    alert: readBoolean(b, 'alert'),
  });
}

/** The plaintext `password` of a `UserWithPwd` body (to be hashed by the caller), or undefined when absent. */
export function passwordFromWireUser(body: unknown): string | undefined {
  return readString(wireBody(body), 'password');
}

/**
 * An API token. `id` is the token itself only in the creation response (clients use it as the bearer credential);
 * afterwards the server knows only its SHA-256 hash, which is the listed `id` (DELETE accepts either).
 */
export function toWireApiToken(token: ApiTokenEntity, shownId: string = token.id): WireApiToken {
  return { id: shownId, created: toWireTime(token.created), expired: token.expired, user_id: token.userId };
}
