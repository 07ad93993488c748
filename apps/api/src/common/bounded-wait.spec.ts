import { bounded } from './bounded-wait';

/** Whether `promise` has settled, after letting pending callbacks run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await jest.advanceTimersByTimeAsync(0);
  return done;
}

describe('bounded', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('returns as soon as the work is done, and leaves no timer behind', async () => {
    let finish!: () => void;
    const wait = bounded(new Promise<void>((resolve) => (finish = resolve)), 2_000);
    expect(await settled(wait)).toBe(false);
    finish();
    expect(await settled(wait)).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ignores the failure of the work', async () => {
    await expect(bounded(Promise.reject(new Error('redis is gone')), 2_000)).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('gives up on work that never ends after `ms`, not before', async () => {
    const wait = bounded(new Promise(() => undefined), 2_000);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(await settled(wait)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(wait)).toBe(true);
  });

  it('returns at once when there is no work', async () => {
    expect(await settled(bounded(undefined, 2_000))).toBe(true);
  });
});
