import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppId, TaskStatus, type JobInventory, type JobSpec } from '@semaphore/models';
import { createGitRepository } from '@semaphore/testing';
import { LocalJob } from './local-job';
import type { ConfirmationDecision } from './terraform-run';

const none = { type: 'none' } as const;
const PATH = '/usr/local/bin:/usr/bin:/bin';
const SECRET = 'tf-secret-greeting-42';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The configuration of every test: built-in `terraform_data` resources and outputs only (no provider to download),
 * state in a `local` backend outside the per-task clone (so a second task sees the first one's state). With
 * `scan_fifo` set, the apply pauses in a local-exec provisioner until the test writes the FIFO.
 */
function mainTf(stateDir: string): string {
  return `
terraform {
  backend "local" {
    path          = "${stateDir}/terraform.tfstate"
    workspace_dir = "${stateDir}/workspaces"
  }
}
variable "greeting" {
  type    = string
  default = "none"
}
variable "replicas" {
  type    = number
  default = 0
}
variable "tags" {
  type    = map(string)
  default = {}
}
variable "scan_fifo" {
  type    = string
  default = ""
}
resource "terraform_data" "thing" {
  input = "\${var.greeting}-\${var.replicas}"
  provisioner "local-exec" {
    interpreter = ["bash", "-c"]
    command     = "if [ -n '\${var.scan_fifo}' ]; then echo scan-now; read -t 30 _ <> '\${var.scan_fifo}' || true; fi"
  }
}
output "greeting" {
  value = terraform_data.thing.output
}
output "tags" {
  value = var.tags
}
`;
}

function commandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // ended meanwhile
    }
  }
  return lines;
}

/** Records a job's events; `line(re)` resolves when a matching (colour-free) line has been logged. */
function recorder() {
  const lines: string[] = [];
  const statuses: TaskStatus[] = [];
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  return {
    lines,
    statuses,
    text: () => lines.join('\n'),
    line: (re: RegExp) =>
      new Promise<void>((resolve) => {
        if (lines.some((l) => re.test(l))) resolve();
        else waiters.push({ re, resolve });
      }),
    events: {
      log: (raw: string) => {
        const l = raw.replace(ANSI, '');
        lines.push(l);
        for (const w of waiters.filter((x) => x.re.test(l))) w.resolve();
      },
      status: (s: TaskStatus) => statuses.push(s),
      commit: () => undefined,
    },
  };
}

describe('terraform run (real terraform, built-in terraform_data only)', () => {
  let root: string;
  let tmpRoot: string;
  let n = 0;

  beforeAll(() => {
    try {
      execFileSync('terraform', ['version'], { env: { PATH, HOME: tmpdir() }, stdio: 'pipe' });
    } catch (err) {
      throw new Error(
        `these tests need the real terraform binary on ${PATH} (expected /usr/local/bin/terraform): ${String(err)}`,
      );
    }
    root = mkdtempSync(join(tmpdir(), 'semtest-tf-'));
    tmpRoot = join(root, 'tasks');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A fresh repository (config in `infra/`) and a state directory of its own. */
  function project() {
    const dir = join(root, `p${++n}`);
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { recursive: true });
    const url = createGitRepository(dir, { 'infra/main.tf': mainTf(stateDir) });
    const stateOf = (workspace = 'default'): Array<{ type: string }> => {
      const file =
        workspace === 'default'
          ? join(stateDir, 'terraform.tfstate')
          : join(stateDir, 'workspaces', workspace, 'terraform.tfstate');
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { resources: [] }).resources : [];
    };
    return { dir, url, stateOf };
  }

  function spec(url: string, over: Partial<JobSpec> = {}): JobSpec {
    return {
      taskId: n,
      projectId: 1,
      templateId: 1,
      claimGeneration: 1,
      firstSeq: 1,
      version: null,
      app: AppId.Terraform,
      username: 'admin',
      playbook: 'infra',
      arguments: [],
      debug: false,
      dryRun: false,
      diff: false,
      limit: '',
      extraVars: { semaphore_vars: { task_details: { id: n, username: 'admin', url: null } } },
      env: {},
      repository: { url, branch: 'main', key: none, knownHosts: [] },
      inventory: null,
      vaults: [],
      params: {},
      ...over,
    };
  }

  const workspaceInventory = (name: string): JobInventory => ({
    type: 'terraform-workspace',
    inventory: name,
    sshKey: none,
    becomeKey: none,
  });

  it('plan -> waiting_confirmation (nothing applied yet) -> confirm -> apply of the plan -> success', async () => {
    const p = project();
    const r = recorder();
    let seenWhileWaiting: unknown = null;
    const job = new LocalJob(
      spec(p.url, { inventory: workspaceInventory('staging'), extraVars: { greeting: 'hello', replicas: 2 } }),
      {
        tmpRoot,
        path: PATH,
        events: r.events,
        confirmation: {
          wait: async (): Promise<ConfirmationDecision> => {
            seenWhileWaiting = { statuses: [...r.statuses], resources: p.stateOf('staging').length };
            return 'confirm';
          },
        },
      },
    );
    const result = await job.run();
    expect({ result, tail: r.lines.slice(-20) }).toMatchObject({ result: { status: TaskStatus.Success } });
    expect(seenWhileWaiting).toEqual({ statuses: [TaskStatus.Running, TaskStatus.WaitingConfirmation], resources: 0 });
    expect(r.statuses).toEqual([TaskStatus.Running, TaskStatus.WaitingConfirmation, TaskStatus.Running]);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        'Terraform has been successfully initialized!',
        'Created and switched to workspace "staging"!',
        'Plan: 1 to add, 0 to change, 0 to destroy.',
        'The plan was confirmed: applying it',
        'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.',
        'greeting = "hello-2"',
      ]),
    );
    expect(p.stateOf('staging')).toEqual([expect.objectContaining({ type: 'terraform_data' })]);
    expect(p.stateOf('default')).toEqual([]);
    expect(readdirSync(tmpRoot)).toEqual([]);
  }, 120_000);

  it('reject -> rejected, nothing applied', async () => {
    const p = project();
    const r = recorder();
    const result = await new LocalJob(spec(p.url), {
      tmpRoot,
      path: PATH,
      events: r.events,
      confirmation: { wait: () => Promise.resolve('reject') },
    }).run();
    expect(result).toEqual({ status: TaskStatus.Rejected });
    expect(r.statuses).toEqual([TaskStatus.Running, TaskStatus.WaitingConfirmation]);
    expect(r.lines).toContain('The plan was rejected: nothing applied');
    expect(r.text()).not.toContain('Apply complete!');
    expect(p.stateOf()).toEqual([]);
  }, 120_000);

  it('stop while waiting for the confirmation -> stopped, nothing applied', async () => {
    const p = project();
    const r = recorder();
    const job: LocalJob = new LocalJob(spec(p.url), {
      tmpRoot,
      path: PATH,
      events: r.events,
      confirmation: {
        wait: () => {
          void job.stop();
          return new Promise<ConfirmationDecision>(() => undefined); // no decision ever comes
        },
      },
    });
    expect(await job.run()).toEqual({ status: TaskStatus.Stopped });
    expect(r.statuses).toEqual([TaskStatus.Running, TaskStatus.WaitingConfirmation]);
    expect(p.stateOf()).toEqual([]);
  }, 120_000);

  it('auto_approve applies at once; extra vars keep their types and never reach a command line', async () => {
    const p = project();
    const fifo = join(p.dir, 'scan-done');
    execFileSync('mkfifo', [fifo]);
    // A terraform on PATH that records every argv it is given, then runs the real one.
    const shim = join(p.dir, 'bin');
    mkdirSync(shim);
    writeFileSync(
      join(shim, 'terraform'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> ${join(p.dir, 'argv.log')}\nexec /usr/local/bin/terraform "$@"\n`,
      { mode: 0o755 },
    );
    const r = recorder();
    let asked = false;
    const job = new LocalJob(
      spec(p.url, {
        params: { auto_approve: true },
        extraVars: {
          greeting: SECRET,
          replicas: 3,
          tags: { env: 'prod' },
          scan_fifo: fifo,
          semaphore_vars: { task_details: { id: n, username: 'admin', url: null } },
        },
      }),
      {
        tmpRoot,
        path: `${shim}:${PATH}`,
        events: r.events,
        confirmation: {
          wait: () => {
            asked = true;
            return Promise.resolve('reject');
          },
        },
      },
    );
    const done = job.run();
    // While terraform applies (paused in the provisioner): no process shows the variable's value.
    await r.line(/local-exec\): scan-now$/);
    const cmdlines = commandLines();
    writeFileSync(fifo, 'go\n');
    expect(cmdlines.filter((c) => c.includes('terraform apply') && c.includes(tmpRoot))).toHaveLength(1);
    expect(cmdlines.filter((c) => c.includes(SECRET))).toEqual([]);
    const argv = readFileSync(join(p.dir, 'argv.log'), 'utf8').trim().split('\n');
    expect(argv.map((a) => a.split(' ')[0])).toEqual(['init', 'workspace', 'plan', 'apply']);
    expect(argv[2]).toMatch(/ -var-file=\/\S+\/terraform\.tfvars\.json$/);
    expect(argv.filter((a) => a.includes(SECRET) || a.includes('-var='))).toEqual([]);

    expect(await done).toEqual({ status: TaskStatus.Success });
    expect(asked).toBe(false);
    expect(r.statuses).toEqual([TaskStatus.Running]);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.',
        `greeting = "${SECRET}-3"`,
        '  "env" = "prod"',
      ]),
    );
    expect(r.text()).not.toContain('semaphore_vars');
    expect(p.stateOf()).toHaveLength(1);
  }, 120_000);

  it('a plan with no changes succeeds right after the plan; plan-only never applies', async () => {
    const p = project();
    const vars = { greeting: 'same', replicas: 1 };
    const first = recorder();
    const applied = await new LocalJob(spec(p.url, { params: { auto_approve: true }, extraVars: vars }), {
      tmpRoot,
      path: PATH,
      events: first.events,
    }).run();
    expect(applied).toEqual({ status: TaskStatus.Success });
    expect(p.stateOf()).toHaveLength(1);

    const second = recorder();
    const confirmation = { wait: jest.fn(() => Promise.resolve<ConfirmationDecision>('confirm')) };
    const result = await new LocalJob(spec(p.url, { extraVars: vars }), {
      tmpRoot,
      path: PATH,
      events: second.events,
      confirmation,
    }).run();
    expect(result).toEqual({ status: TaskStatus.Success });
    expect(confirmation.wait).not.toHaveBeenCalled();
    expect(second.statuses).toEqual([TaskStatus.Running]);
    expect(second.lines).toContain('The plan has no changes: nothing to apply');
    expect(second.text()).toContain('No changes.');
    expect(second.text()).not.toContain('Apply complete!');

    const planOnly = recorder();
    const planned = await new LocalJob(spec(p.url, { params: { plan: true }, extraVars: { greeting: 'changed' } }), {
      tmpRoot,
      path: PATH,
      events: planOnly.events,
      confirmation,
    }).run();
    expect(planned).toEqual({ status: TaskStatus.Success });
    expect(confirmation.wait).not.toHaveBeenCalled();
    expect(planOnly.lines).toEqual(expect.arrayContaining(['Plan: 0 to add, 1 to change, 0 to destroy.']));
    expect(planOnly.lines).toContain('Plan only: not applied');
    expect(planOnly.text()).not.toContain('Apply complete!');
  }, 180_000);

  it('fails by exit status: a broken configuration, a missing sub-directory', async () => {
    const dir = join(root, `broken${++n}`);
    const url = createGitRepository(dir, {
      'infra/main.tf': 'resource "terraform_data" "x" {\n  input = var.nope\n}\n',
    });
    const r = recorder();
    const result = await new LocalJob(spec(url), { tmpRoot, path: PATH, events: r.events }).run();
    expect(result).toEqual({ status: TaskStatus.Error });
    expect(r.lines).toContain('Running app failed: terraform plan exited with status 1');

    const missing = recorder();
    expect(
      await new LocalJob(spec(url, { playbook: 'nowhere' }), { tmpRoot, path: PATH, events: missing.events }).run(),
    ).toEqual({ status: TaskStatus.Error, errorCode: 'INVALID_TASK' });
    expect(readdirSync(tmpRoot)).toEqual([]);
  }, 120_000);
});
