import type { BenchStack } from '../lib/bench-stack';
import { rawThroughput } from '../lib/raw-bullmq';
import { log, percentile, wallMs, type Report } from '../lib/report';
import type { WsTap } from '../lib/ws-tap';
import { TIMESTAMP_SCRIPT } from './dispatch';

const SCENARIO = 'throughput';
const GOAL_TASKS_PER_SECOND = 200;

export interface ThroughputOptions {
  tasks: number;
  /** No new task is posted after this long (the ones in flight still finish). */
  maxSeconds: number;
  /** Tasks posted but not finished at any time (clients posting in parallel). */
  inFlight: number;
  runnerParallel: number;
}

/**
 * Trivial tasks (one bash line) on a template that allows parallel runs, `inFlight` at a time, from the first POST to
 * the last terminal status seen on the WebSocket. Raw baseline: bare BullMQ jobs through as many worker processes,
 * each job spawning the same trivial bash.
 */
export async function throughputScenario(
  stack: BenchStack,
  tap: WsTap,
  report: Report,
  opts: ThroughputOptions,
): Promise<void> {
  const templateId = await stack.template({ name: 'trivial', script: TIMESTAMP_SCRIPT, allowParallel: true });
  // Warm-up, not measured.
  await Promise.all(Array.from({ length: 4 }, async () => tap.waitFinished(await stack.postTask(templateId), 60_000)));

  let posted = 0;
  let succeeded = 0;
  let lastDone = 0;
  const failures: string[] = [];
  const postMs: number[] = [];
  const start = wallMs();
  const lane = async () => {
    while (posted < opts.tasks && wallMs() - start < opts.maxSeconds * 1000) {
      posted++;
      const before = wallMs();
      const id = await stack.postTask(templateId);
      postMs.push(wallMs() - before);
      const finished = await tap.waitFinished(id, 120_000);
      if (finished.status === 'success') succeeded++;
      else failures.push(`${id}: ${finished.status}`);
      lastDone = Math.max(lastDone, finished.at);
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, lane));
  const rate = succeeded / ((lastDone - start) / 1000);
  log(`throughput: ${succeeded} tasks in ${((lastDone - start) / 1000).toFixed(1)} s; raw BullMQ baseline...`);
  const raw = await rawThroughput(
    stack.stack.redis.url,
    Math.max(posted, 500),
    stack.runners.length,
    opts.runnerParallel,
  );

  report.add({
    scenario: SCENARIO,
    name: `trivial tasks/s (${stack.runners.length} runners, ${posted} tasks)`,
    unit: '/s',
    value: rate,
    baseline: raw.jobsPerSecond,
    baselineName: 'BullMQ + spawn',
    better: 'higher',
    goal: `>= ${GOAL_TASKS_PER_SECOND} tasks/s`,
    met: rate >= GOAL_TASKS_PER_SECOND,
  });
  report.add({
    scenario: SCENARIO,
    name: 'POST P/tasks response p50 under load',
    unit: 'ms',
    value: percentile(postMs, 50),
  });
  report.add({
    scenario: SCENARIO,
    name: 'POST P/tasks response p99 under load',
    unit: 'ms',
    value: percentile(postMs, 99),
  });
  report.check(
    SCENARIO,
    'every task succeeded',
    failures.length === 0,
    failures.length ? `${failures.length} failed: ${failures.slice(0, 5).join(', ')}` : `${succeeded} of ${posted}`,
  );
}
