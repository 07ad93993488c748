import { AccessKeyType, type WireAccessKey } from '@semaphore/models';
import type { AccessKeyEntity } from '@semaphore/persistence';
import type { AccessKeySecret } from '../crypto';
import { compact, readBoolean, readEnum, readNullableObject, readString, wireBody, type WireBody } from './input.wire';

/**
 * An access key with its secret ALWAYS blanked (SECURITY.md §4). Only `key.secret` being null/empty is looked at, to
 * set `empty:true` (omitted otherwise, as Go's omitempty); the ciphertext is never decrypted nor copied.
 */
export function toWireAccessKey(key: AccessKeyEntity): WireAccessKey {
  const wire: WireAccessKey = {
    id: key.id,
    name: key.name,
    type: key.type,
    project_id: key.projectId,
    string: '',
    login_password: { login: '', password: '' },
    ssh: { login: '', passphrase: '', private_key: '' },
    override_secret: false,
  };
  if (key.secret === null || key.secret === '') wire.empty = true;
  return wire;
}

export type AccessKeyWireFields = Partial<Pick<AccessKeyEntity, 'name' | 'type'>>;

/**
 * `name` and `type` of a key body. `id` and `project_id` come from the URL, never from the body (SECURITY.md §2).
 * The secret is read with `accessKeySecretFromWire`; on update, upstream changes only the name unless
 * `override_secret` (`overrideSecretFromWire`) is true.
 */
export function fromWireAccessKey(body: unknown): AccessKeyWireFields {
  const b = wireBody(body);
  return compact({ name: readString(b, 'name'), type: readEnum(b, 'type', AccessKeyType) });
}

export function overrideSecretFromWire(body: unknown): boolean {
  return readBoolean(wireBody(body), 'override_secret') ?? false;
}

/**
 * The plaintext secret of a key body, chosen by its `type` (`ssh` -> `ssh`, `login_password` -> `login_password`,
 * `string` -> `string`); missing fields are '' (Go's zero values). Null for `none` and for a missing or unknown type.
 * The caller encrypts it (`SecretCipher.encryptAccessKeySecret`) and must not keep or log it.
 */
export function accessKeySecretFromWire(body: unknown): AccessKeySecret | null {
  const b = wireBody(body);
  switch (readEnum(b, 'type', AccessKeyType)) {
    case AccessKeyType.Ssh: {
      const ssh = nested(b, 'ssh');
      return {
        type: AccessKeyType.Ssh,
        value: {
          login: readString(ssh, 'login') ?? '',
          passphrase: readString(ssh, 'passphrase') ?? '',
          private_key: readString(ssh, 'private_key') ?? '',
        },
      };
    }
    case AccessKeyType.LoginPassword: {
      const lp = nested(b, 'login_password');
      return {
        type: AccessKeyType.LoginPassword,
        value: { login: readString(lp, 'login') ?? '', password: readString(lp, 'password') ?? '' },
      };
    }
    case AccessKeyType.String:
      return { type: AccessKeyType.String, value: readString(b, 'string') ?? '' };
    default:
      return null;
  }
}

function nested(body: WireBody, key: string): WireBody {
  return wireBody(readNullableObject(body, key));
}
