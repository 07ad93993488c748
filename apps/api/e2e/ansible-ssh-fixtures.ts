import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { utils } from 'ssh2';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

/** The secrets of the scenario: random per run, so finding one anywhere cannot be a coincidence. */
export interface ScenarioSecrets {
  keyPassphrase: string;
  becomePassword: string;
  vaultPassword: string;
  /** A line from the middle of the inventory's private key. */
  privateKeyLine: string;
}

export interface KeyPair {
  private: string;
  public: string;
}

/**
 * The content side of the ansible-over-SSH e2e (no processes): random secrets, keys (the inventory's protected by a
 * passphrase), the files sshd reads keys from, the FIFOs the playbook and the test meet at, the repositories' files.
 */
export function scenarioSecrets(): { secrets: ScenarioSecrets; deployKey: KeyPair; inventoryKey: KeyPair } {
  const secrets = {
    keyPassphrase: `kp-${hex(8)}`,
    becomePassword: `bp-${hex(8)}`,
    vaultPassword: `vp-${hex(8)}`,
    privateKeyLine: '',
  };
  const deployKey = utils.generateKeyPairSync('ed25519');
  const inventoryKey = utils.generateKeyPairSync('ed25519', {
    passphrase: secrets.keyPassphrase,
    cipher: 'aes256-ctr',
    rounds: 16,
  });
  secrets.privateKeyLine = inventoryKey.private.split('\n')[3];
  return { secrets, deployKey, inventoryKey };
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * The sshd_config line that lets each user in with the keys of `<root>/authorized/<user>`: world-readable, because
 * sshd reads a user's keys with that user's rights.
 */
export function authorizedKeysConfig(root: string, keys: Record<string, string>): string {
  const dir = join(root, 'authorized');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(root, 0o755);
  for (const [user, key] of Object.entries(keys)) writeFileSync(join(dir, user), `${key.trim()}\n`, { mode: 0o644 });
  return `AuthorizedKeysFile ${dir}/%u`;
}

/** FIFOs the become user can use (the playbook's `su` task runs as that user). */
export function sharedFifos(root: string): { dir: string; ready: string; go: string } {
  const dir = join(root, 'scan');
  mkdirSync(dir, { mode: 0o755 });
  const ready = join(dir, 'ready');
  const go = join(dir, 'go');
  execFileSync('mkfifo', ['-m', '0666', ready, go]);
  return { dir, ready, go };
}

/** Writes `text` to a FIFO if something is reading it (never blocks); false when nothing is. */
export function writeFifoIfRead(fifo: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false; // ENXIO: no reader
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** `ansible-vault encrypt_string` output (a `name: !vault |` YAML entry); the password comes from a 0600 file. */
export function encryptString(root: string, password: string, name: string, plaintext: string): string {
  const file = join(root, 'vault-password');
  writeFileSync(file, password, { mode: 0o600 });
  return execFileSync(
    'ansible-vault',
    ['encrypt_string', '--vault-password-file', file, '--name', name, '--', plaintext],
    { env: { PATH, HOME: root }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
}

/**
 * Logs in over SSH, `su`s to the become user for the task that meets the test, shows the vaulted value, then prints
 * numbered lines (for the ordering checks).
 */
export function sitePlaybook(scanDir: string): string {
  return [
    '- hosts: target',
    '  gather_facts: false',
    '  vars_files: [vault.yml]',
    '  tasks:',
    '    - name: login user',
    '      ansible.builtin.command: id -un',
    '      register: login',
    '    - name: wait for the scan',
    `      ansible.builtin.shell: id -un > ${scanDir}/ready && cat ${scanDir}/go`,
    '      become: true',
    '      become_method: su',
    '      register: became',
    '    - name: report',
    '      ansible.builtin.debug:',
    '        msg: "login={{ login.stdout }} become-said={{ became.stdout }} vaulted={{ vaulted_word }}"',
    '    - name: numbered',
    '      ansible.builtin.debug:',
    '        msg: "line {{ item }}"',
    '      loop: "{{ range(1, 41) | list }}"',
    '',
  ].join('\n');
}

export function localPlaybook(): string {
  return [
    '- hosts: all',
    '  gather_facts: false',
    '  roles: [e2e_git_role]',
    '  tasks:',
    '    - ansible.builtin.debug:',
    '        msg: "inventory={{ inventory_file }} url={{ semaphore_vars.task_details.url }} user={{ semaphore_vars.task_details.username }}"',
    '',
  ].join('\n');
}

/** The part of the test's ApiClient used here. */
export interface JsonApi {
  get<T>(path: string): Promise<{ status: number; body: T; text: string }>;
  post<T>(path: string, body?: unknown): Promise<{ status: number; body: T; text: string }>;
}

export interface Ids {
  noKey: number;
  localRepo: number;
  fileInventory: number;
  sshTemplate: number;
  localTemplate: number;
}

/** What the project objects are made of. */
export interface ProjectInputs {
  secrets: ScenarioSecrets;
  deployKey: KeyPair;
  inventoryKey: KeyPair;
  login: { name: string };
  become: { name: string };
  sshd: { port: number };
  siteSshUrl: string;
  localUrl: string;
  inventoryUrl: string;
}

/** Creates an object and returns its id (204 answers carry no body: the list names it). */
export async function createObject(
  api: JsonApi,
  projectPath: string,
  kind: string,
  body: Record<string, unknown>,
): Promise<number> {
  const res = await api.post<{ id?: number }>(`${projectPath}/${kind}`, body);
  expect({ kind, status: res.status, body: res.body }).toMatchObject({ status: res.status === 201 ? 201 : 204 });
  if (res.body?.id) return res.body.id;
  const list = await api.get<Array<{ id: number; name: string }>>(`${projectPath}/${kind}`);
  const found = list.body.find((o) => o.name === body.name);
  if (!found) throw new Error(`${kind} ${String(body.name)} was not created: ${res.text}`);
  return found.id;
}

export async function createProjectObjects(api: JsonApi, projectPath: string, s: ProjectInputs): Promise<Ids> {
  const create = (kind: string, body: Record<string, unknown>) => createObject(api, projectPath, kind, body);
  const none = await create('keys', { name: 'no key', type: 'none' });
  const deploy = await create('keys', {
    name: 'deploy key',
    type: 'ssh',
    ssh: { login: 'root', passphrase: '', private_key: s.deployKey.private },
  });
  const login = await create('keys', {
    name: 'inventory key',
    type: 'ssh',
    ssh: { login: s.login.name, passphrase: s.secrets.keyPassphrase, private_key: s.inventoryKey.private },
  });
  const become = await create('keys', {
    name: 'become',
    type: 'login_password',
    login_password: { login: s.become.name, password: s.secrets.becomePassword },
  });
  const vault = await create('keys', {
    name: 'vault',
    type: 'login_password',
    login_password: { login: '', password: s.secrets.vaultPassword },
  });
  const siteRepo = await create('repositories', {
    name: 'site over ssh',
    git_url: s.siteSshUrl,
    git_branch: 'main',
    ssh_key_id: deploy,
  });
  const localRepo = await create('repositories', {
    name: 'local',
    git_url: s.localUrl,
    git_branch: 'main',
    ssh_key_id: none,
  });
  const inventoryRepo = await create('repositories', {
    name: 'inventories',
    git_url: s.inventoryUrl,
    git_branch: 'main',
    ssh_key_id: none,
  });
  const staticInventory = await create('inventory', {
    name: 'loopback sshd',
    type: 'static',
    // The login user's temporary files must be readable by the become user (no setfacl on these machines).
    inventory:
      `target ansible_host=127.0.0.1 ansible_port=${s.sshd.port} ansible_python_interpreter=/usr/bin/python3 ` +
      'ansible_shell_allow_world_readable_temp=true\n',
    ssh_key_id: login,
    become_key_id: become,
  });
  const fileInventory = await create('inventory', {
    name: 'from the inventory repository',
    type: 'file',
    inventory: 'hosts/local.ini',
    repository_id: inventoryRepo,
    ssh_key_id: none,
  });
  const sshTemplate = await create('templates', {
    name: 'site over ssh',
    app: 'ansible',
    playbook: 'site.yml',
    repository_id: siteRepo,
    inventory_id: staticInventory,
    vaults: [{ id: 0, vault_key_id: vault, name: null }],
  });
  const localTemplate = await create('templates', {
    name: 'local with galaxy',
    app: 'ansible',
    playbook: 'local.yml',
    repository_id: localRepo,
    inventory_id: fileInventory,
    allow_override_branch_in_task: true,
  });
  return { noKey: none, localRepo, fileInventory, sshTemplate, localTemplate };
}
