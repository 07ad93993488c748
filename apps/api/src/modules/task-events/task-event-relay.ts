import type { TaskEventBatch } from '@semaphore/models';
import { wsMessagesOf } from './task-ws-messages';
import type { WsPrincipal } from './ws-authenticator';

/** What relaying needs: the claim check of runner batches, a project's audience, and the sockets. */
export interface RelayPorts {
  /** The task's project and template when a runner batch belongs to the task's current claim, else null. */
  claimOf(batch: TaskEventBatch): Promise<{ projectId: number; templateId: number } | null>;
  members(projectId: number): Promise<Set<number>>;
  send(frames: string[], mayReceive: (principal: WsPrincipal) => boolean): void;
}

/**
 * Frames sent between two yields to the event loop: one read of the stream can hold hundreds of thousands of lines
 * (a task printing a million), and sending them all in one go would hold up everything else of the process (the
 * persister's database work, HTTP requests) for seconds.
 */
export const YIELD_EVERY_FRAMES = 2_000;

/** Relays the batches of one read to the project's members and the admins, in order. */
export async function relayBatches(batches: TaskEventBatch[], ports: RelayPorts): Promise<void> {
  let sinceYield = 0;
  for (const batch of batches) {
    let { projectId, templateId } = batch;
    if (batch.source === 'runner') {
      const claim = await ports.claimOf(batch);
      if (!claim) continue;
      ({ projectId, templateId } = claim);
    }
    const frames = wsMessagesOf(batch, projectId, templateId).map((m) => JSON.stringify(m));
    if (frames.length === 0) continue;
    const members = await ports.members(projectId);
    ports.send(frames, (p) => p.admin || members.has(p.userId));
    sinceYield += frames.length;
    if (sinceYield >= YIELD_EVERY_FRAMES) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
