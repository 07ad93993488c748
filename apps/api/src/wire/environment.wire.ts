import { EnvironmentSecretType, type WireEnvironment, type WireEnvironmentSecret } from '@semaphore/models';
import type { EnvironmentEntity, EnvironmentSecretEntity } from '@semaphore/persistence';
import { compact, readEnum, readInt, readNullableString, readObjectArray, readString, wireBody } from './input.wire';

/** `single` (GET one) lists the secrets, blanked; `list` (GET all) sends `secrets:null`, as upstream. */
export type EnvironmentWireForm = { form: 'single'; secrets: readonly EnvironmentSecretEntity[] } | { form: 'list' };

export function toWireEnvironment(environment: EnvironmentEntity, options: EnvironmentWireForm): WireEnvironment {
  return {
    id: environment.id,
    name: environment.name,
    project_id: environment.projectId,
    password: environment.password,
    json: environment.json,
    env: environment.env,
    secrets: options.form === 'single' ? options.secrets.map(toWireEnvironmentSecret) : null,
  };
}

/** The secret value is never output (not even read): `secret` and `operation` are always ''. */
export function toWireEnvironmentSecret(secret: EnvironmentSecretEntity): WireEnvironmentSecret {
  return { id: secret.id, type: secret.type, name: secret.name, secret: '', operation: '' };
}

export type EnvironmentWireFields = Partial<Pick<EnvironmentEntity, 'name' | 'password' | 'json' | 'env'>>;

/** `id` and `project_id` come from the URL (SECURITY.md §2). Secrets are read with `environmentSecretsFromWire`. */
export function fromWireEnvironment(body: unknown): EnvironmentWireFields {
  const b = wireBody(body);
  return compact({
    name: readString(b, 'name'),
    password: readNullableString(b, 'password'),
    json: readString(b, 'json'),
    env: readNullableString(b, 'env'),
  });
}

export enum EnvironmentSecretOperation {
  Create = 'create',
  Update = 'update',
  Delete = 'delete',
}

/** One change to an environment's secrets. `secret` is plaintext: the caller encrypts it and must not keep or log it. */
export interface EnvironmentSecretChange {
  /** 0 for `create`. */
  id: number;
  type: EnvironmentSecretType;
  name: string;
  secret: string;
  operation: EnvironmentSecretOperation;
}

/**
 * The `secrets` of an environment body. Items without a known `operation`, or without a known `type` (except for a
 * `delete`, which needs only the id), are left out (DTOs reject them first); other missing fields are Go's zero values. Undefined when `secrets` is not an array (null or absent).
 */
export function environmentSecretsFromWire(body: unknown): EnvironmentSecretChange[] | undefined {
  const items = readObjectArray(wireBody(body), 'secrets');
  if (items === undefined) return undefined;
  const changes: EnvironmentSecretChange[] = [];
  for (const item of items) {
    const operation = readEnum(item, 'operation', EnvironmentSecretOperation);
    // A delete needs only the id: its type is not looked at (`var` stands in when absent).
    const type =
      readEnum(item, 'type', EnvironmentSecretType) ??
      (operation === EnvironmentSecretOperation.Delete ? EnvironmentSecretType.Var : undefined);
    if (type === undefined || operation === undefined) continue;
    changes.push({
      id: readInt(item, 'id') ?? 0,
      type,
      name: readString(item, 'name') ?? '',
      secret: readString(item, 'secret') ?? '',
      operation,
    });
  }
  return changes;
}
