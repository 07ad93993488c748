import type { RunnerControlMessage } from '@semaphore/models';
import type { PlanDecision, RunningTask, StopReason } from '../jobs/running-tasks';

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
  if (m.type === 'confirm' || m.type === 'reject' || m.type === 'pause' || m.type === 'resume') {
    return { type: m.type, taskId: m.taskId };
  }
  return null;
}

/** What the api asks of a running task: stop it, pass a decision on its plan to the job, pause or resume it. */
export type ControlAction =
  | { type: 'stop'; reason: StopReason }
  | { type: 'decide'; decision: PlanDecision }
  | { type: 'pause'; paused: boolean };

/** The action of a control message. */
export function messageAction(message: RunnerControlMessage): ControlAction {
  if (message.type === 'stop') return { type: 'stop', reason: message.force ? 'force-stop' : 'stop' };
  if (message.type === 'pause' || message.type === 'resume') return { type: 'pause', paused: message.type === 'pause' };
  return { type: 'decide', decision: message.type };
}

/** The pause action of the durable pause key's value: present (`1`) pauses, absent resumes. */
export function pausedKeyAction(value: string | null): ControlAction {
  return { type: 'pause', paused: value !== null };
}

/** The action of the durable control key's value (`stop`, `force-stop`, `confirm`, `reject`), or null. */
export function controlKeyAction(value: string | null): ControlAction | null {
  if (value === 'stop' || value === 'force-stop') return { type: 'stop', reason: value };
  if (value === 'confirm' || value === 'reject') return { type: 'decide', decision: value };
  return null;
}

/**
 * Applies an action to a task of this runner. True when it changed something (the first stop, the first decision):
 * the durable key is seen again on every heartbeat, and only news is worth a log line.
 */
export function applyControl(task: RunningTask, action: ControlAction): boolean {
  if (action.type === 'decide') return task.decide(action.decision);
  if (action.type === 'pause') return task.setPaused(action.paused);
  const first = task.stopReason === null;
  task.requestStop(action.reason);
  return first;
}

/** The log entry of an applied action: event name, its fields and the message. */
export function controlLogEntry(action: ControlAction): {
  event: string;
  detail: Record<string, unknown>;
  msg: string;
} {
  if (action.type === 'stop') return { event: 'task.stop', detail: { reason: action.reason }, msg: 'stopping task' };
  if (action.type === 'pause') {
    return {
      event: 'task.pause',
      detail: { paused: action.paused },
      msg: action.paused ? 'pausing task' : 'resuming task',
    };
  }
  return { event: 'task.plan-decision', detail: { decision: action.decision }, msg: 'plan decision' };
}
