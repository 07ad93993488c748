import { stat } from 'node:fs/promises';
import { TaskStatus, type JobSpec } from '@semaphore/models';
import { UnsafeArgumentError } from '../apps/arg-safety';
import {
  afterPlan,
  planOutcome,
  terraformApplyArgs,
  terraformBinary,
  terraformInitArgs,
  terraformPlanArgs,
  terraformTaskParams,
  terraformVariables,
  terraformWorkingDir,
  terraformWorkspaceName,
  terraformWorkspaceSelectArgs,
} from '../apps/terraform-args';
import type { ProcessResult } from '../process/supervised-process';
import type { JobEvents, JobResult } from './job-events';
import type { TaskWorkspace } from './task-workspace';

/** A user's answer to a plan that waits for confirmation; `stop` when the task is stopped instead. */
export type ConfirmationDecision = 'confirm' | 'reject' | 'stop';

/** Where a job waits for the decision on its plan (the runner feeds it from its control channel). */
export interface ConfirmationPort {
  /** Resolves with the decision; one taken before the call resolves it at once. */
  wait(): Promise<ConfirmationDecision>;
}

/**
 * Runs one command to its end under the job's process supervision, with the job's allowlisted environment (PATH,
 * HOME, task env, agent socket) plus `env`.
 */
export type StepRunner = (
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
) => Promise<ProcessResult>;

export interface TerraformRunContext {
  spec: JobSpec;
  workspace: TaskWorkspace;
  repoDir: string;
  events: JobEvents;
  runStep: StepRunner;
  /** Without one, a plan that needs a confirmation ends the task as an error. */
  confirmation: ConfirmationPort | undefined;
  /** Aborted when the job is stopped: ends a wait for confirmation. */
  stopSignal: AbortSignal;
}

/**
 * Terraform/OpenTofu (upstream `TerraformApp`, newest semantics of `plan` / `auto_approve`): `init`, `workspace
 * select -or-create`, `plan` into a saved plan file, then, when the plan has changes, either apply it at once
 * (auto-approve), stop there (plan only) or report `waiting_confirmation` and wait: confirm -> `running` and `apply`
 * of that very plan; reject -> `rejected`; stop -> `stopped`. Variables travel in a 0600 `*.tfvars.json` file.
 */
export async function runTerraform(ctx: TerraformRunContext): Promise<JobResult> {
  const { spec, workspace, events } = ctx;
  const bin = terraformBinary(spec.app);
  const cwd = terraformWorkingDir(ctx.repoDir, spec.playbook);
  const workspaceName = terraformWorkspaceName(spec.inventory?.inventory);
  if (!(await isDirectory(cwd))) {
    throw new UnsafeArgumentError(
      'playbook (terraform sub-directory)',
      `${spec.playbook} is not a directory of the repository`,
    );
  }
  const varFile = await workspace.writePrivate(
    'terraform.tfvars.json',
    JSON.stringify(terraformVariables(spec.extraVars)),
  );
  const planFile = workspace.path('terraform.tfplan');
  const env = {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    // Provider plugins and the selected workspace stay in the task directory, even for a repository used in place.
    TF_DATA_DIR: workspace.path('terraform-data'),
  };
  const step = (args: string[]) => ctx.runStep(bin, args, cwd, env);

  for (const args of [terraformInitArgs(), terraformWorkspaceSelectArgs(workspaceName)]) {
    const failed = stepFailure(await step(args), `${bin} ${args[0]}`, events);
    if (failed) return failed;
  }
  const plan = await step(terraformPlanArgs(planFile, varFile));
  const outcome = planOutcome(plan.exitCode);
  if (outcome === 'failed' || plan.stoppedBy) return stepFailure(plan, `${bin} plan`, events) ?? failure();

  const next = afterPlan(outcome, terraformTaskParams(spec.params));
  if (next === 'success') {
    events.log(outcome === 'no-changes' ? 'The plan has no changes: nothing to apply' : 'Plan only: not applied');
    return { status: TaskStatus.Success };
  }
  if (next === 'confirm') {
    const waited = await waitForConfirmation(ctx);
    if (waited) return waited;
  }
  return (
    stepFailure(await step(terraformApplyArgs(planFile)), `${bin} apply`, events) ?? { status: TaskStatus.Success }
  );
}

/** Reports `waiting_confirmation` and waits; null when confirmed (status back to `running`), else the result. */
async function waitForConfirmation(ctx: TerraformRunContext): Promise<JobResult | null> {
  const { events } = ctx;
  if (!ctx.confirmation) {
    events.log('Running app failed: this runner cannot wait for a plan confirmation');
    return failure();
  }
  if (ctx.stopSignal.aborted) return { status: TaskStatus.Stopped };
  events.status(TaskStatus.WaitingConfirmation);
  const decision = await decide(ctx.confirmation, ctx.stopSignal);
  if (decision === 'stop') return { status: TaskStatus.Stopped };
  if (decision === 'reject') {
    events.log('The plan was rejected: nothing applied');
    return { status: TaskStatus.Rejected };
  }
  events.log('The plan was confirmed: applying it');
  events.status(TaskStatus.Running);
  return null;
}

/** The port's decision, or `stop` as soon as the job is stopped. */
function decide(port: ConfirmationPort, stopSignal: AbortSignal): Promise<ConfirmationDecision> {
  if (stopSignal.aborted) return Promise.resolve('stop');
  return new Promise<ConfirmationDecision>((resolve, reject) => {
    const onStop = () => resolve('stop');
    stopSignal.addEventListener('abort', onStop, { once: true });
    port.wait().then(
      (decision) => {
        stopSignal.removeEventListener('abort', onStop);
        resolve(decision);
      },
      (err: unknown) => {
        stopSignal.removeEventListener('abort', onStop);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** The job's result when a step did not succeed (stopped, timed out, non-zero exit), or null when it did. */
function stepFailure(result: ProcessResult, what: string, events: JobEvents): JobResult | null {
  if (result.stoppedBy === 'stop') return { status: TaskStatus.Stopped };
  if (result.stoppedBy === 'timeout') {
    events.log('Running app failed: the task ran longer than its time limit');
    return { status: TaskStatus.Error, errorCode: 'TASK_TIMEOUT' };
  }
  if (result.exitCode === 0) return null;
  events.log(`Running app failed: ${what} exited with status ${result.exitCode ?? result.signal}`);
  return failure();
}

function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

function failure(): JobResult {
  return { status: TaskStatus.Error };
}
