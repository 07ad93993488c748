/**
 * `npm run bench`: the performance figures of the task path, each next to a raw baseline measured in the same run on
 * the same services (loopback only). Services come from scripts/bootstrap-services.sh, the api and runner are built
 * into tmp/bench/dist (BENCH_DIST=<folder> reuses a build). Prints a table and writes tmp/bench/results.json.
 * A missed goal does not fail; a failed correctness check (a task failing, a line lost or out of order) exits 1.
 *
 * Knobs (environment): BENCH_ONLY=dispatch,log,throughput,ssh  BENCH_SFTP_MB=200  BENCH_DISPATCH_TASKS=200  BENCH_LOG_LINES=1000000
 * BENCH_LOG_TIMEOUT_SECONDS=300  BENCH_THROUGHPUT_TASKS=1000  BENCH_THROUGHPUT_SECONDS=40  BENCH_IN_FLIGHT=64
 * BENCH_RUNNER_PARALLEL=8  BENCH_TIMEOUT_SECONDS=900
 * BENCH_LOG_DIR: a folder for the api's and runners' logs (written when the stack stops).
 * BENCH_NODE_OPTIONS: NODE_OPTIONS of the api and runner processes (e.g. `--require <a profiling hook>`).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BenchStack } from './lib/bench-stack';
import { Report, log } from './lib/report';
import { WsTap } from './lib/ws-tap';
import { bigLogScenario } from './scenarios/big-log';
import { dispatchScenario } from './scenarios/dispatch';
import { sshSftpScenario } from './scenarios/ssh-sftp';
import { throughputScenario } from './scenarios/throughput';

const WORKSPACE = join(__dirname, '..');
const RESULTS = join(WORKSPACE, 'tmp/bench/results.json');
const RUNNERS = 2;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return value;
}

function run(what: string, command: string, args: string[]): void {
  log(`== ${what}`);
  const res = spawnSync(command, args, { cwd: WORKSPACE, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${what} failed (${command} ${args.join(' ')} exited with ${res.status})`);
}

async function main(): Promise<number> {
  const only = new Set((process.env.BENCH_ONLY ?? 'dispatch,log,throughput,ssh').split(',').map((s) => s.trim()));
  const settings = {
    dispatchTasks: intEnv('BENCH_DISPATCH_TASKS', 200),
    logLines: intEnv('BENCH_LOG_LINES', 1_000_000),
    logTimeoutSeconds: intEnv('BENCH_LOG_TIMEOUT_SECONDS', 300),
    throughputTasks: intEnv('BENCH_THROUGHPUT_TASKS', 1000),
    throughputSeconds: intEnv('BENCH_THROUGHPUT_SECONDS', 40),
    inFlight: intEnv('BENCH_IN_FLIGHT', 64),
    runnerParallel: intEnv('BENCH_RUNNER_PARALLEL', 8),
  };
  run('services', 'bash', ['scripts/bootstrap-services.sh']);
  const dist = process.env.BENCH_DIST ?? join(WORKSPACE, 'tmp/bench/dist');
  if (process.env.BENCH_DIST) log(`== build: reusing ${dist}`);
  else run('build', 'bash', ['scripts/build-to.sh', dist]);
  process.env.SEMAPHORE_TEST_DIST = dist;

  const report = new Report();
  report.note(`${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average at start ${loadAverage()}`);
  if (only.has('ssh')) {
    const megabytes = intEnv('BENCH_SFTP_MB', 200);
    log(`== ssh/sftp: ${megabytes} MB upload and download, exec round trips, against raw ssh2`);
    await sshSftpScenario(report, megabytes);
  }
  if (!['dispatch', 'log', 'throughput'].some((s) => only.has(s)))
    return finish(report, { date: new Date().toISOString() });
  log(`== stack: api + ${RUNNERS} runners (max ${settings.runnerParallel} parallel tasks each)`);
  const nodeOptions = process.env.BENCH_NODE_OPTIONS;
  const stack = await BenchStack.start({
    runners: RUNNERS,
    runnerParallel: settings.runnerParallel,
    processEnv: nodeOptions ? { NODE_OPTIONS: nodeOptions } : {},
  });
  activeStack = stack;
  const memory: Record<string, unknown> = { start: stack.memory() };
  let tap: WsTap | null = null;
  try {
    tap = await WsTap.connect(stack.baseUrl, stack.token);
    if (only.has('dispatch')) {
      log(`== dispatch latency: ${settings.dispatchTasks} sequential tasks`);
      await dispatchScenario(stack, tap, report, settings.dispatchTasks);
    }
    if (only.has('log')) {
      log(`== log: one task of ${settings.logLines} lines`);
      memory.log = await bigLogScenario(stack, tap, report, settings.logLines, settings.logTimeoutSeconds);
    }
    if (only.has('throughput')) {
      log(`== throughput: up to ${settings.throughputTasks} trivial tasks or ${settings.throughputSeconds} s`);
      await throughputScenario(stack, tap, report, {
        tasks: settings.throughputTasks,
        maxSeconds: settings.throughputSeconds,
        inFlight: settings.inFlight,
        runnerParallel: settings.runnerParallel,
      });
    }
    memory.end = stack.memory();
  } finally {
    tap?.close();
    await stack.stop(process.env.BENCH_LOG_DIR);
  }
  return finish(report, { date: new Date().toISOString(), settings, memory });
}

function finish(report: Report, results: Record<string, unknown>): number {
  report.note(`load average at end ${loadAverage()}; the machine may be shared: figures are noisy`);
  report.writeJson(RESULTS, results);
  log('');
  log(report.render());
  log(`results: ${RESULTS}`);
  const failed = report.failed;
  if (failed.length > 0) log(`bench: ${failed.length} correctness check(s) FAILED`);
  return failed.length > 0 ? 1 : 0;
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

let activeStack: BenchStack | null = null;

const timeout = setTimeout(
  () => {
    process.stderr.write('bench: timed out\n');
    activeStack?.kill();
    process.exit(2);
  },
  intEnv('BENCH_TIMEOUT_SECONDS', 900) * 1000,
);
timeout.unref();

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
