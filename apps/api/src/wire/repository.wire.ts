import type { WireRepository } from '@semaphore/models';
import type { RepositoryEntity } from '@semaphore/persistence';
import { compact, readInt, readString, wireBody } from './input.wire';

export function toWireRepository(repository: RepositoryEntity): WireRepository {
  return {
    id: repository.id,
    name: repository.name,
    project_id: repository.projectId,
    git_url: repository.gitUrl,
    git_branch: repository.gitBranch,
    ssh_key_id: repository.sshKeyId,
  };
}

export type RepositoryWireFields = Partial<Pick<RepositoryEntity, 'name' | 'gitUrl' | 'gitBranch' | 'sshKeyId'>>;

/** `id` and `project_id` come from the URL, never from the body (SECURITY.md §2). */
export function fromWireRepository(body: unknown): RepositoryWireFields {
  const b = wireBody(body);
  return compact({
    name: readString(b, 'name'),
    gitUrl: readString(b, 'git_url'),
    gitBranch: readString(b, 'git_branch'),
    sshKeyId: readInt(b, 'ssh_key_id'),
  });
}
