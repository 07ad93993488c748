import type { BenchStack } from '../lib/bench-stack';
import { rawDispatchLatencies } from '../lib/raw-bullmq';
import { log, percentile, wallMs, type Report } from '../lib/report';
import type { WsTap } from '../lib/ws-tap';

const SCENARIO = 'dispatch';
const GOAL_P99_MS = 50;
const WARM_UP = 5;
/** The script's first action: print the wall clock (bash's own variable, no fork). */
export const TIMESTAMP_SCRIPT = 'echo "T0 $EPOCHREALTIME"';

/** The wall-clock ms printed by TIMESTAMP_SCRIPT, or null. */
export function parseTimestampLine(output: string): number | null {
  const m = /^T0 (\d+)[.,](\d+)$/.exec(output);
  return m ? Number(`${m[1]}.${m[2]}`) * 1000 : null;
}

/**
 * POST P/tasks -> the task's script running, `tasks` times one after the other (each waits for the previous to finish).
 * Raw baseline: `queue.add` -> processor start of bare BullMQ workers on the same Redis, same count.
 */
export async function dispatchScenario(stack: BenchStack, tap: WsTap, report: Report, tasks: number): Promise<void> {
  const templateId = await stack.template({ name: 'dispatch', script: TIMESTAMP_SCRIPT, allowParallel: false });
  const started = new Map<number, number>();
  tap.onLog((m) => {
    const t = parseTimestampLine(m.output);
    if (t !== null) started.set(m.task_id, t);
  });
  const latencies: number[] = [];
  const postMs: number[] = [];
  let failures = 0;
  let missing = 0;
  for (let i = 0; i < tasks + WARM_UP; i++) {
    const before = wallMs();
    const id = await stack.postTask(templateId);
    const posted = wallMs();
    const finished = await tap.waitFinished(id, 60_000);
    if (finished.status !== 'success') failures++;
    const t0 = started.get(id) ?? (await timestampFromOutput(stack, id));
    if (i < WARM_UP) continue;
    if (t0 === null) missing++;
    else latencies.push(t0 - before);
    postMs.push(posted - before);
  }
  tap.onLog(null);
  log(`dispatch: ${latencies.length} tasks measured; raw BullMQ baseline...`);
  const raw = await rawDispatchLatencies(stack.stack.redis.url, tasks, stack.runners.length);

  const p99 = percentile(latencies, 99);
  const common = { scenario: SCENARIO, unit: 'ms', better: 'lower' as const, baselineName: 'BullMQ add->processor' };
  report.add({
    ...common,
    name: 'POST -> script start p50',
    value: percentile(latencies, 50),
    baseline: percentile(raw, 50),
  });
  report.add({
    ...common,
    name: 'POST -> script start p99',
    value: p99,
    baseline: percentile(raw, 99),
    goal: `p99 < ${GOAL_P99_MS} ms`,
    met: p99 === null ? null : p99 < GOAL_P99_MS,
  });
  report.add({ scenario: SCENARIO, name: 'POST -> script start max', unit: 'ms', value: percentile(latencies, 100) });
  report.add({ scenario: SCENARIO, name: 'POST P/tasks response p50', unit: 'ms', value: percentile(postMs, 50) });
  report.check(SCENARIO, 'every task succeeded', failures === 0, `${failures} of ${tasks + WARM_UP} failed`);
  report.check(SCENARIO, 'every task printed its start time', missing === 0, `${missing} without a T0 line`);
}

/** Fallback when the WebSocket did not carry the T0 line: GET the task's output. */
async function timestampFromOutput(stack: BenchStack, taskId: number): Promise<number | null> {
  const res = await stack.admin.get<Array<{ output: string }>>(`${stack.projectPath}/tasks/${taskId}/output`);
  for (const line of Array.isArray(res.body) ? res.body : []) {
    const t = parseTimestampLine(line.output);
    if (t !== null) return t;
  }
  return null;
}
