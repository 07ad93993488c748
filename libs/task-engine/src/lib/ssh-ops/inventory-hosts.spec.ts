import { InventoryParseError, parseInventory, selectHosts } from './inventory-hosts';

const INI = `
# fleet
bastion ansible_host=10.0.0.1

[web]
web[01:03] ansible_port=2201
db1 ansible_host="10.0.1.5" ansible_user='deploy' note="a b"

[web:vars]
ansible_user=www

[prod:children]
web

[prod:vars]
ansible_port=22
ansible_user=prod

[all:vars]
ansible_user=admin
`;

describe('parseInventory (INI)', () => {
  const hosts = parseInventory(INI, 'ini');
  const byName = new Map(hosts.map((h) => [h.name, h]));

  it('expands ranges and keeps the order hosts appear in', () => {
    expect(hosts.map((h) => h.name)).toEqual(['bastion', 'web01', 'web02', 'web03', 'db1']);
  });

  it('merges variables: all < parent group < group < host', () => {
    expect(byName.get('bastion')?.vars).toEqual({ ansible_host: '10.0.0.1', ansible_user: 'admin' });
    expect(byName.get('web02')?.vars).toMatchObject({ ansible_port: '2201', ansible_user: 'www' });
    expect(byName.get('db1')?.vars).toMatchObject({ ansible_host: '10.0.1.5', ansible_user: 'deploy', note: 'a b' });
    expect(byName.get('db1')?.groups.sort()).toEqual(['prod', 'web']);
    expect(byName.get('bastion')?.groups).toEqual(['ungrouped']);
  });

  it('refuses a host line with a malformed variable', () => {
    expect(() => parseInventory('[web]\nweb1 ansible_port', 'ini')).toThrow(InventoryParseError);
  });
});

describe('parseInventory (YAML)', () => {
  it('reads hosts, vars and nested children', () => {
    const hosts = parseInventory(
      `all:
  vars: { ansible_user: admin }
  hosts:
    jump: { ansible_host: 10.0.0.1 }
  children:
    web:
      vars: { ansible_port: 2222 }
      hosts:
        web1:
        web2: { ansible_port: 2223 }
      children:
        canary:
          hosts:
            web3: {}
`,
      'yaml',
    );
    expect(hosts.map((h) => [h.name, h.vars.ansible_user, h.vars.ansible_port ?? null])).toEqual([
      ['jump', 'admin', null],
      ['web1', 'admin', '2222'],
      ['web2', 'admin', '2223'],
      ['web3', 'admin', '2222'],
    ]);
    expect(hosts[3].groups.sort()).toEqual(['canary', 'web']);
  });

  it('names the problem of a document that is not an inventory', () => {
    expect(() => parseInventory('- a\n- b\n', 'yaml')).toThrow('the YAML inventory must be a mapping');
    expect(() => parseInventory('all: [1', 'yaml')).toThrow(/does not parse/);
  });
});

describe('selectHosts', () => {
  const hosts = parseInventory(INI, 'ini');
  const names = (limit: string) => selectHosts(hosts, limit).map((h) => h.name);

  it('selects by host, group, wildcard, exclusion and intersection', () => {
    expect(names('')).toHaveLength(5);
    expect(names('all')).toHaveLength(5);
    expect(names('web02,db1')).toEqual(['web02', 'db1']);
    expect(names('web')).toEqual(['web01', 'web02', 'web03', 'db1']);
    expect(names('web0*:!web02')).toEqual(['web01', 'web03']);
    expect(names('prod:&db*')).toEqual(['db1']);
    expect(names('nothing')).toEqual([]);
  });
});
