import { IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
import { AccessKeyEntity, EnvironmentSecretEntity, UserEntity } from '@semaphore/persistence';
import type { SecretCipher } from '../crypto';
import { TASK_SECRET_PARAM } from '../modules/task-queue/task-secret';

export interface RekeyCounts {
  accessKeys: number;
  environmentSecrets: number;
  totpSecrets: number;
  taskSecrets: number;
  /** Already encrypted with the new key (a rekey that ran before): left as they are. */
  alreadyNew: number;
}

/** A value that decrypts with neither key: the whole rekey is rolled back. */
export class RekeyError extends Error {}

/**
 * `semaphore vault rekey --old-key`: every stored secret (access keys, environment secrets, TOTP secrets, the survey
 * secrets of unfinished tasks) decrypted with the old key and encrypted with the current one, in ONE transaction. A
 * value that already decrypts with the current key is kept, so running it twice is safe; a value that decrypts with
 * neither stops everything, naming the row.
 */
export async function rekeyVault(
  ds: DataSource,
  oldCipher: SecretCipher,
  newCipher: SecretCipher,
): Promise<RekeyCounts> {
  const counts: RekeyCounts = { accessKeys: 0, environmentSecrets: 0, totpSecrets: 0, taskSecrets: 0, alreadyNew: 0 };
  const recrypt = (stored: string, what: string): string | null => {
    try {
      newCipher.decrypt(stored);
      counts.alreadyNew++;
      return null;
    } catch {
      // not yet under the new key
    }
    try {
      return newCipher.encrypt(oldCipher.decrypt(stored));
    } catch {
      throw new RekeyError(`${what} cannot be decrypted with the old key (nothing was changed)`);
    }
  };
  await ds.transaction(async (em: EntityManager) => {
    for (const key of await em.find(AccessKeyEntity, { where: { secret: Not(IsNull()) } })) {
      const next = key.secret ? recrypt(key.secret, `access key ${key.id}`) : null;
      if (next !== null)
        counts.accessKeys += (await em.update(AccessKeyEntity, { id: key.id }, { secret: next })).affected ?? 0;
    }
    for (const s of await em.find(EnvironmentSecretEntity)) {
      const next = recrypt(s.secret, `environment secret ${s.id}`);
      if (next !== null) {
        counts.environmentSecrets +=
          (await em.update(EnvironmentSecretEntity, { id: s.id }, { secret: next })).affected ?? 0;
      }
    }
    for (const u of await em.find(UserEntity, { where: { totpSecret: Not(IsNull()) } })) {
      const next = u.totpSecret ? recrypt(u.totpSecret, `TOTP secret of user ${u.id}`) : null;
      if (next !== null)
        counts.totpSecrets += (await em.update(UserEntity, { id: u.id }, { totpSecret: next })).affected ?? 0;
    }
    const tasks: Array<{ id: number; sealed: string }> = await em.query(
      `SELECT id, params ->> $1 AS sealed FROM task WHERE params ? $1`,
      [TASK_SECRET_PARAM],
    );
    for (const t of tasks) {
      const next = recrypt(t.sealed, `survey secrets of task ${t.id}`);
      if (next === null) continue;
      await em.query(`UPDATE task SET params = jsonb_set(params, ARRAY[$1], to_jsonb($2::text)) WHERE id = $3`, [
        TASK_SECRET_PARAM,
        next,
        t.id,
      ]);
      counts.taskSecrets++;
    }
  });
  return counts;
}
