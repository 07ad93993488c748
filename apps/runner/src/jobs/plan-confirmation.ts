import type { ConfirmationDecision, ConfirmationPort } from '@semaphore/task-engine';

/**
 * The decision on one task's terraform/tofu plan, kept from whenever it arrives (control message, durable control key
 * read after the claim or on a heartbeat, or a stop) until the job asks for it: a decision that comes before the job
 * waits is not lost. The first decision wins; later ones (the same key seen again on each heartbeat) change nothing.
 */
export class PlanConfirmation implements ConfirmationPort {
  private decision: ConfirmationDecision | null = null;
  private readonly waiters: Array<(decision: ConfirmationDecision) => void> = [];

  /** True when this decision is the first one (it is the one the job gets). */
  decide(decision: ConfirmationDecision): boolean {
    if (this.decision) return false;
    this.decision = decision;
    for (const resolve of this.waiters.splice(0)) resolve(decision);
    return true;
  }

  wait(): Promise<ConfirmationDecision> {
    const decided = this.decision;
    if (decided) return Promise.resolve(decided);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
