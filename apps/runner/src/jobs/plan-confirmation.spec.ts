import { PlanConfirmation } from './plan-confirmation';

describe('PlanConfirmation', () => {
  it('hands a decision to a job that waits for it', async () => {
    const c = new PlanConfirmation();
    const waiting = c.wait();
    expect(c.decide('confirm')).toBe(true);
    await expect(waiting).resolves.toBe('confirm');
  });

  it('keeps a decision that arrived before the job waits', async () => {
    const c = new PlanConfirmation();
    expect(c.decide('reject')).toBe(true);
    await expect(c.wait()).resolves.toBe('reject');
  });

  it('the first decision wins; repeats and later ones change nothing', async () => {
    const c = new PlanConfirmation();
    expect(c.decide('stop')).toBe(true);
    expect(c.decide('confirm')).toBe(false);
    expect(c.decide('stop')).toBe(false);
    await expect(c.wait()).resolves.toBe('stop');
  });

  it('does not resolve without a decision', async () => {
    const c = new PlanConfirmation();
    const outcome = await Promise.race([c.wait(), Promise.resolve('pending')]);
    expect(outcome).toBe('pending');
  });
});
