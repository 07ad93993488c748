import { galaxyArgs, galaxyPlan } from '../apps/ansible-galaxy';
import type { ProcessResult } from '../process/supervised-process';
import { JobErrorCode, JobPrepareError } from './job-errors';

export interface GalaxyInstall {
  repoDir: string;
  playbook: string;
  log(line: string): void;
  /** Runs `ansible-galaxy <args>` in the repository with the app's environment, supervised like the app itself. */
  runGalaxy(args: string[]): Promise<ProcessResult>;
}

/**
 * Installs the playbook's galaxy requirements (collections, then roles) before ansible-playbook runs. With HOME set to
 * the task workspace they land in `<workspace>/.ansible/...`, where ansible-playbook finds them, so parallel tasks
 * never share or overwrite each other's roles. A stop ends it early (the caller sees its own stop flag).
 * @throws JobPrepareError (GALAXY_INSTALL_FAILED) when ansible-galaxy fails
 */
export async function installGalaxyRequirements(g: GalaxyInstall): Promise<void> {
  for (const item of await galaxyPlan(g.repoDir, g.playbook)) {
    if ('skip' in item) {
      g.log(item.skip);
      continue;
    }
    const args = galaxyArgs(item.step);
    g.log(`ansible-galaxy ${item.step.kind} install -r ${item.step.label} --force`);
    const result = await g.runGalaxy(args);
    if (result.stoppedBy === 'stop') return;
    if (result.exitCode !== 0) {
      const why = result.stoppedBy === 'timeout' ? 'timed out' : `exit status ${result.exitCode ?? result.signal}`;
      throw new JobPrepareError(
        JobErrorCode.GalaxyInstallFailed,
        `ansible-galaxy ${item.step.kind} install -r ${item.step.label} failed: ${why}`,
      );
    }
  }
}
