/**
 * The raw baseline's worker process: a bare BullMQ Worker (no api, no claim, no workspace, no event stream). Each job
 * returns the wall-clock time at which its processor started; in `spawn` mode it also runs a trivial child process
 * (bash printing a timestamp, as the benchmark's trivial task does) and waits for it to exit.
 * Started by bench/lib/raw-bullmq.ts with RAW_* variables; prints `ready` once it listens.
 */
import { spawn } from 'node:child_process';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

function runTrivialChild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'echo "T0 $EPOCHREALTIME"'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`bash exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const spawnChild = env('RAW_MODE') === 'spawn';
  const worker = new Worker(
    env('RAW_QUEUE'),
    async () => {
      const started = performance.timeOrigin + performance.now();
      if (spawnChild) await runTrivialChild();
      return started;
    },
    {
      connection: new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null }),
      prefix: env('RAW_PREFIX'),
      concurrency: Number(env('RAW_CONCURRENCY')),
      // As the runner's workers: a finished job does not linger.
      removeOnComplete: { count: 0 },
    },
  );
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  const stop = () => void worker.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`raw worker failed: ${String(err)}\n`);
  process.exit(1);
});
