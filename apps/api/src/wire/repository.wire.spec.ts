import type { RepositoryEntity } from '@semaphore/persistence';
import { fromWireRepository, toWireRepository } from './repository.wire';

describe('repository wire', () => {
  it('GET P/repositories/1 matches Appendix A', () => {
    const repository: RepositoryEntity = {
      id: 1,
      name: 'Demo',
      projectId: 1,
      gitUrl: 'https://github.com/semaphoreui/demo-project.git',
      gitBranch: 'main',
      sshKeyId: 1,
    };
    expect(JSON.stringify(toWireRepository(repository))).toBe(
      '{"id":1,"name":"Demo","project_id":1,"git_url":"https://github.com/semaphoreui/demo-project.git",' +
        '"git_branch":"main","ssh_key_id":1}',
    );
  });

  it('reads a body, never id or project_id', () => {
    const body = { id: 1, project_id: 9, name: 'R', git_url: 'git@h:x.git', git_branch: '', ssh_key_id: 4 };
    expect(fromWireRepository(body)).toEqual({ name: 'R', gitUrl: 'git@h:x.git', gitBranch: '', sshKeyId: 4 });
  });
});
