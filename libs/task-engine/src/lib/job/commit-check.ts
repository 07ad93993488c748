import type { JobRepository } from '@semaphore/models';
import { SshAgent } from '@semaphore/ssh';
import { remoteHead } from './repository-clone';
import { TaskWorkspace } from './task-workspace';

/**
 * Looks up the commit a repository branch points at, in a throw-away private workspace under `tmpRoot` (an ssh key
 * goes through an agent there, as for a clone). Everything is removed afterwards.
 * @throws JobPrepareError (GIT_CHECKOUT_FAILED) with git's reason
 */
export async function checkRemoteCommit(repo: JobRepository, tmpRoot: string, scheduleId: number): Promise<string> {
  const workspace = await TaskWorkspace.create(tmpRoot, `commit_check_${scheduleId}`);
  const agents: SshAgent[] = [];
  try {
    return await remoteHead(repo, {
      workspace,
      name: 'repository',
      startAgent: async (key) => {
        const agent = await SshAgent.startWithKey(workspace.dir, key.privateKey, key.passphrase);
        agents.push(agent);
        return agent;
      },
      log: () => undefined,
    });
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    await workspace.remove();
  }
}
