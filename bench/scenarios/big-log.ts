import type { BenchStack } from '../lib/bench-stack';
import { rawCopyRowsPerSecond } from '../lib/raw-copy';
import { log, wallMs, type Report } from '../lib/report';
import type { WsTap } from '../lib/ws-tap';

const SCENARIO = 'log';
const GOAL_RATIO = 0.5;

interface WsView {
  received: number;
  outOfOrder: number;
  otherTasks: number;
  lastAt: number;
}

/**
 * One task printing `lines` numbered lines (`seq 1 N`): every line must be persisted (count, seq contiguous, 1..N in
 * seq order, checked in SQL) and reach a WebSocket client in order, at >= 50% of the rate of a raw COPY of as many
 * rows into an equivalent table. Also the api's and runners' memory before and after.
 */
export async function bigLogScenario(
  stack: BenchStack,
  tap: WsTap,
  report: Report,
  lines: number,
  timeoutSeconds: number,
): Promise<Record<string, unknown>> {
  const templateId = await stack.template({ name: 'seq', script: `seq 1 ${lines}`, allowParallel: false });
  const before = stack.memory();
  const ws: WsView = { received: 0, outOfOrder: 0, otherTasks: 0, lastAt: 0 };
  let taskId = -1;
  tap.onLog((m, at) => {
    if (!/^\d+$/.test(m.output)) return;
    if (taskId !== -1 && m.task_id !== taskId) ws.otherTasks++;
    if (Number(m.output) !== ws.received + 1) ws.outOfOrder++;
    ws.received++;
    ws.lastAt = at;
  });
  const postAt = wallMs();
  taskId = await stack.postTask(templateId);
  let finishedAt: number | null = null;
  let status = 'timeout';
  try {
    const finished = await tap.waitFinished(taskId, timeoutSeconds * 1000);
    finishedAt = finished.at;
    status = finished.status;
  } catch (err) {
    log(`log: ${String(err)}`);
  }
  tap.onLog(null);
  const after = stack.memory();
  const stored = await storedLines(stack, taskId);
  log(`log: task ${taskId} ${status}; ${stored.numeric} lines stored, ${ws.received} relayed; raw COPY baseline...`);
  const copyRate = await rawCopyRowsPerSecond(stack.stack.db.connection, taskId, lines);

  const first = stored.firstLineAt;
  const persistRate = finishedAt !== null && first !== null ? lines / ((finishedAt - first) / 1000) : null;
  const wsRate = ws.received === lines && first !== null ? lines / ((ws.lastAt - first) / 1000) : null;
  const common = {
    scenario: SCENARIO,
    unit: 'lines/s',
    baseline: copyRate,
    baselineName: 'COPY',
    better: 'higher' as const,
  };
  const goal = `>= ${GOAL_RATIO * 100}% of COPY`;
  const meets = (rate: number | null) => (rate === null ? null : rate / copyRate >= GOAL_RATIO);
  report.add({
    ...common,
    name: `${lines} lines persisted (1st line -> done)`,
    value: persistRate,
    goal,
    met: meets(persistRate),
  });
  report.add({
    ...common,
    name: `${lines} lines via WebSocket (1st -> last)`,
    value: wsRate,
    goal,
    met: meets(wsRate),
  });
  report.add({
    scenario: SCENARIO,
    name: 'POST -> all lines persisted',
    unit: 's',
    value: finishedAt === null ? null : (finishedAt - postAt) / 1000,
  });
  for (const name of Object.keys(before)) {
    report.add({ scenario: SCENARIO, name: `${name} RSS before`, unit: 'MB', value: mb(before[name].rssKb) });
    report.add({ scenario: SCENARIO, name: `${name} RSS after`, unit: 'MB', value: mb(after[name].rssKb) });
    report.add({ scenario: SCENARIO, name: `${name} peak RSS (VmHWM)`, unit: 'MB', value: mb(after[name].peakKb) });
  }

  report.check(SCENARIO, 'task succeeded', status === 'success', status);
  report.check(SCENARIO, 'all lines persisted', stored.numeric === lines, `${stored.numeric} of ${lines}`);
  report.check(
    SCENARIO,
    'persisted lines are 1..N in seq order',
    stored.misplaced === 0,
    `${stored.misplaced} misplaced`,
  );
  report.check(
    SCENARIO,
    'seq contiguous',
    stored.total > 0 && stored.maxSeq - stored.minSeq + 1 === stored.total,
    `${stored.total} rows, seq ${stored.minSeq}..${stored.maxSeq}`,
  );
  report.check(SCENARIO, 'all lines relayed over WebSocket', ws.received === lines, `${ws.received} of ${lines}`);
  report.check(
    SCENARIO,
    'WebSocket lines in order',
    ws.outOfOrder === 0 && ws.otherTasks === 0,
    `${ws.outOfOrder} out of order`,
  );
  report.check(SCENARIO, 'WebSocket client not dropped', tap.closedWith === null, tap.closedWith ?? 'open');
  return { memoryBefore: before, memoryAfter: after };
}

function mb(kb: number | null): number | null {
  return kb === null ? null : kb / 1024;
}

interface StoredLines {
  total: number;
  minSeq: number;
  maxSeq: number;
  numeric: number;
  misplaced: number;
  firstLineAt: number | null;
}

/** The task's rows in PostgreSQL: counts, seq range, numbered lines out of place, and when line 1 was read. */
async function storedLines(stack: BenchStack, taskId: number): Promise<StoredLines> {
  const ds = stack.stack.db.dataSource;
  const [counts] = (await ds.query(
    `SELECT count(*)::int AS total, coalesce(min(seq), 0)::int AS "minSeq", coalesce(max(seq), 0)::int AS "maxSeq",
       count(*) FILTER (WHERE output ~ '^[0-9]+$')::int AS numeric
     FROM task__output WHERE task_id = $1`,
    [taskId],
  )) as StoredLines[];
  const [order] = (await ds.query(
    `SELECT count(*)::int AS misplaced FROM (
       SELECT output, row_number() OVER (ORDER BY seq) AS n FROM task__output
       WHERE task_id = $1 AND output ~ '^[0-9]+$') numbered
     WHERE output::bigint <> n`,
    [taskId],
  )) as Array<{ misplaced: number }>;
  const firstRows = (await ds.query(
    `SELECT time FROM task__output WHERE task_id = $1 AND output = '1' ORDER BY seq LIMIT 1`,
    [taskId],
  )) as Array<{ time: Date }>;
  return {
    ...counts,
    misplaced: order.misplaced,
    firstLineAt: firstRows[0] ? new Date(firstRows[0].time).getTime() : null,
  };
}
