import type { SecretCipher } from '../../crypto';

/**
 * Where a task's survey secrets (`secret` of `POST P/tasks`) wait for the runner's claim. There is no column for them,
 * so they live in the task's `params` jsonb under this reserved key, AES-256-GCM encrypted with SecretCipher (never in
 * plaintext, never in Redis). The claim decrypts them into the JobSpec's extra vars (`openTaskSecret`) and hands the
 * runner only `publicTaskParams`; `TaskLifecycleService.onTaskFinished` deletes the key when the task ends.
 * Clients can never set a key starting with `__` (the create DTO keeps known params only).
 */
export const TASK_SECRET_PARAM = '__secret';

/** The params to store: the public ones plus the sealed secret when there is one (an empty object is not stored). */
export function sealTaskSecret(
  cipher: SecretCipher,
  params: Record<string, unknown>,
  secret: Record<string, unknown> | null,
): Record<string, unknown> {
  const result = publicTaskParams(params);
  if (secret !== null && Object.keys(secret).length > 0) result[TASK_SECRET_PARAM] = cipher.encryptJson(secret);
  return result;
}

/** The survey secrets of a task ({} when none or already removed). Throws when the ciphertext was tampered with. */
export function openTaskSecret(cipher: SecretCipher, params: Record<string, unknown> | null): Record<string, unknown> {
  const sealed = params?.[TASK_SECRET_PARAM];
  if (typeof sealed !== 'string') return {};
  const value = cipher.decryptJson(sealed);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return value as Record<string, unknown>;
}

/** Params without reserved keys: what a runner or any reader may see. */
export function publicTaskParams(params: Record<string, unknown> | null): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if (!key.startsWith('__')) result[key] = value;
  }
  return result;
}

/** Whether the stored params still hold the sealed survey secrets (whatever their form). */
export function hasSealedSecret(task: { params: Record<string, unknown> | null }): boolean {
  return task.params !== null && typeof task.params === 'object' && TASK_SECRET_PARAM in task.params;
}
