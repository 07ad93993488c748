import type { EnvironmentSecretType } from '@semaphore/models';
import { type EnvironmentSecretChange, EnvironmentSecretOperation } from '../../wire';

/** A stored secret as the plan sees it (never its value). */
export interface ExistingSecret {
  id: number;
  type: EnvironmentSecretType;
  name: string;
}

/** What to write, values still plaintext: the service encrypts them and drops the plan. */
export interface SecretPlan {
  create: Array<{ type: EnvironmentSecretType; name: string; secret: string }>;
  /** `secret` null keeps the stored value (an update with an empty secret only renames, as upstream). */
  update: Array<{ id: number; type: EnvironmentSecretType; name: string; secret: string | null }>;
  remove: number[];
}

export class SecretPlanError extends Error {}

/**
 * Checks the `secrets` operations of a body against the environment's stored secrets: `update` and `delete` must name
 * a secret of this environment (once), and the result must not hold two secrets of the same type and name.
 * `existing` is empty for a new environment, so only `create` passes there.
 * @throws SecretPlanError with a message naming the item
 */
export function planSecretChanges(existing: readonly ExistingSecret[], changes: readonly EnvironmentSecretChange[]) {
  const plan: SecretPlan = { create: [], update: [], remove: [] };
  const final = new Map<number | string, { type: string; name: string }>(existing.map((s) => [s.id, s]));
  const touched = new Set<number>();
  changes.forEach((change, i) => {
    if (change.operation === EnvironmentSecretOperation.Create) {
      plan.create.push({ type: change.type, name: change.name, secret: change.secret });
      final.set(`new${i}`, change);
      return;
    }
    if (!existing.some((s) => s.id === change.id)) {
      throw new SecretPlanError(`secrets.${i}.id must be the id of a secret of this environment`);
    }
    if (touched.has(change.id)) throw new SecretPlanError(`secrets.${i}.id appears more than once`);
    touched.add(change.id);
    if (change.operation === EnvironmentSecretOperation.Delete) {
      plan.remove.push(change.id);
      final.delete(change.id);
    } else {
      plan.update.push({ id: change.id, type: change.type, name: change.name, secret: change.secret || null });
      final.set(change.id, change);
    }
  });
  const seen = new Set<string>();
  for (const secret of final.values()) {
    const key = `${secret.type}.${secret.name}`;
    if (seen.has(key))
      throw new SecretPlanError(`secrets: there would be two ${secret.type} secrets named ${secret.name}`);
    seen.add(key);
  }
  return plan;
}
