import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { ManagedProcess, baseProcessEnv, deleteKeysWithPrefix, uniqueRedisPrefix } from '@semaphore/testing';
import { wallMs } from './report';

const WORKSPACE = join(__dirname, '../..');
const QUEUE = 'raw';

/** Raw BullMQ on the same Redis: a queue, its events, and `workers` worker processes (bench/raw-worker.ts). */
class RawQueue {
  private constructor(
    readonly queue: Queue,
    readonly events: QueueEvents,
    private readonly workers: ManagedProcess[],
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  static async start(redisUrl: string, workers: number, concurrency: number, mode: 'latency' | 'spawn') {
    const prefix = uniqueRedisPrefix('bench-raw');
    const client = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const procs: ManagedProcess[] = [];
    for (let i = 0; i < workers; i++) {
      const env = {
        ...baseProcessEnv(),
        TS_NODE_PROJECT: join(WORKSPACE, 'bench/tsconfig.json'),
        REDIS_URL: redisUrl,
        RAW_QUEUE: QUEUE,
        RAW_PREFIX: prefix,
        RAW_CONCURRENCY: String(concurrency),
        RAW_MODE: mode,
      };
      const args = ['-r', 'ts-node/register/transpile-only', join(WORKSPACE, 'bench/raw-worker.ts')];
      procs.push(new ManagedProcess(process.execPath, args, env, WORKSPACE));
    }
    await Promise.all(
      procs.map((p) => p.waitFor(() => (p.stdout.includes('ready') ? true : undefined), 60_000, 'ready')),
    );
    const queue = new Queue(QUEUE, { connection: client, prefix });
    const events = new QueueEvents(QUEUE, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
    await events.waitUntilReady();
    return new RawQueue(queue, events, procs, client, prefix);
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
    await this.events.close();
    await this.queue.close();
    await deleteKeysWithPrefix(this.client, this.prefix);
    await this.client.quit();
  }
}

/** `queue.add` -> processor start, `count` times one after the other; milliseconds. */
export async function rawDispatchLatencies(redisUrl: string, count: number, workers: number): Promise<number[]> {
  const raw = await RawQueue.start(redisUrl, workers, 1, 'latency');
  const waiting = new Map<string, (startedAt: number) => void>();
  raw.events.on('completed', ({ jobId, returnvalue }) => waiting.get(jobId)?.(Number(returnvalue)));
  try {
    const samples: number[] = [];
    for (let i = 0; i < count + 5; i++) {
      const jobId = `latency-${i}`;
      const started = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`raw job ${jobId} did not complete`)), 10_000);
        waiting.set(jobId, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
      const before = wallMs();
      await raw.queue.add('job', { i }, { jobId });
      const startedAt = await started;
      waiting.delete(jobId);
      // The first few warm the connections up, as the benchmark's own warm-up tasks do.
      if (i >= 5) samples.push(startedAt - before);
    }
    return samples;
  } finally {
    await raw.stop();
  }
}

/** Jobs per second through `workers` worker processes whose jobs each run a trivial child process. */
export async function rawThroughput(
  redisUrl: string,
  count: number,
  workers: number,
  concurrency: number,
): Promise<{ jobsPerSecond: number; completed: number }> {
  const raw = await RawQueue.start(redisUrl, workers, concurrency, 'spawn');
  try {
    let completed = 0;
    let failed = 0;
    let lastAt = 0;
    const done = new Promise<void>((resolve) => {
      const check = () => {
        if (completed + failed >= count) resolve();
      };
      raw.events.on('completed', () => {
        completed++;
        lastAt = wallMs();
        check();
      });
      raw.events.on('failed', () => {
        failed++;
        check();
      });
    });
    const start = wallMs();
    for (let i = 0; i < count; i += 500) {
      const n = Math.min(500, count - i);
      await raw.queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: 'job', data: { i: i + k } })));
    }
    await Promise.race([
      done,
      new Promise((_, reject) => setTimeout(() => reject(new Error('raw throughput timed out')), 120_000)),
    ]);
    if (failed > 0) throw new Error(`${failed} raw jobs failed`);
    return { jobsPerSecond: completed / ((lastAt - start) / 1000), completed };
  } finally {
    await raw.stop();
  }
}
