import { buildExtraVars, dangerousExtraVarKeys } from './extra-vars';

describe('extra vars', () => {
  it('merges environment, survey secrets and environment secrets (later ones win) and adds task details', () => {
    const vars = buildExtraVars({
      environment: { region: 'eu', version: '1' },
      environmentSecretVars: { db_password: 'env-secret', region: 'us' },
      secretVars: { version: '2', db_password: 'survey' },
      taskDetails: { id: 7, username: 'admin', url: null },
    });
    expect(vars).toEqual({
      region: 'us',
      version: '2',
      db_password: 'env-secret',
      semaphore_vars: { task_details: { id: 7, username: 'admin', url: null } },
    });
  });

  it('flags variables that would take over the connection or run commands', () => {
    expect(
      dangerousExtraVarKeys({
        ansible_connection: 'local',
        ansible_python_interpreter: '/bin/sh',
        ansible_ssh_common_args: '-o ProxyCommand=x',
        ansible_become_exe: 'x',
        ANSIBLE_SHELL_EXECUTABLE: '/tmp/x',
        app_version: '1.2',
        ansible_check_mode_note: 'fine',
      }),
    ).toEqual([
      'ansible_connection',
      'ansible_python_interpreter',
      'ansible_ssh_common_args',
      'ansible_become_exe',
      'ANSIBLE_SHELL_EXECUTABLE',
    ]);
  });
});
