import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UnsafeArgumentError } from './arg-safety';
import { galaxyArgs, galaxyPlan } from './ansible-galaxy';

describe('galaxyPlan', () => {
  let repo: string;
  beforeEach(() => (repo = mkdtempSync(join(tmpdir(), 'semtest-galaxy-'))));
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  function write(files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, name)), { recursive: true });
      writeFileSync(join(repo, name), text);
    }
  }

  it("follows upstream's order next to the playbook: collections, then roles", async () => {
    write({
      'play/collections/requirements.yml': 'collections: []\n',
      'play/roles/requirements.yml': '- src: x\n',
      'play/requirements.yml': '---\n# both\nroles: []\ncollections:\n  - name: a.b\n',
    });
    expect(await galaxyPlan(repo, 'play/site.yml')).toEqual([
      {
        step: {
          kind: 'collection',
          file: join(repo, 'play/collections/requirements.yml'),
          label: 'play/collections/requirements.yml',
        },
      },
      { step: { kind: 'collection', file: join(repo, 'play/requirements.yml'), label: 'play/requirements.yml' } },
      { step: { kind: 'role', file: join(repo, 'play/roles/requirements.yml'), label: 'play/roles/requirements.yml' } },
      { step: { kind: 'role', file: join(repo, 'play/requirements.yml'), label: 'play/requirements.yml' } },
    ]);
  });

  it('skips missing files, and the shared file for collections when it has no collections key', async () => {
    write({ 'requirements.yml': '- src: https://example.com/role.tar.gz\n  name: r\n# collections: later\n' });
    expect(await galaxyPlan(repo, 'site.yml')).toEqual([
      { skip: 'No collections/requirements.yml file found. Skip galaxy collection install process.' },
      { skip: 'requirements.yml has no collections. Skip galaxy collection install process.' },
      { skip: 'No roles/requirements.yml file found. Skip galaxy role install process.' },
      { step: { kind: 'role', file: join(repo, 'requirements.yml'), label: 'requirements.yml' } },
    ]);
  });

  it('refuses a playbook path outside the repository', async () => {
    await expect(galaxyPlan(repo, '../site.yml')).rejects.toThrow(UnsafeArgumentError);
  });
});

describe('galaxyArgs', () => {
  it('installs with --force from an absolute file', () => {
    expect(galaxyArgs({ kind: 'role', file: '/w/repo/requirements.yml', label: 'requirements.yml' })).toEqual([
      'role',
      'install',
      '-r',
      '/w/repo/requirements.yml',
      '--force',
    ]);
    expect(() => galaxyArgs({ kind: 'role', file: '-x', label: '-x' })).toThrow('absolute');
  });
});
