import type { RunnerControlMessage } from '@semaphore/models';
import type { StopReason } from '../jobs/running-tasks';

/** A control message from the channel, validated; null for anything malformed. */
export function parseControlMessage(raw: string): RunnerControlMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  if (typeof m.taskId !== 'number' || !Number.isSafeInteger(m.taskId) || m.taskId <= 0) return null;
  if (m.type === 'stop') return { type: 'stop', taskId: m.taskId, force: m.force === true };
  if (m.type === 'confirm' || m.type === 'reject') return { type: m.type, taskId: m.taskId };
  return null;
}

/** The durable control key's value (`stop`, `force-stop`, ...) as a stop reason, or null. */
export function controlToStopReason(value: string | null): StopReason | null {
  if (value === 'stop') return 'stop';
  if (value === 'force-stop') return 'force-stop';
  return null;
}
