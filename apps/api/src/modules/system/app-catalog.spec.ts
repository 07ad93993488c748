import { appOptionChanges, appsFromOptions, sortedApps, toWireApp } from './app-catalog';

describe('app catalog', () => {
  it('lists the built-ins by priority with upstream defaults and key order', () => {
    const apps = sortedApps(appsFromOptions([]));
    expect(apps.map((a) => [a.id, a.priority, a.active])).toEqual([
      ['ansible', 1000, true],
      ['terraform', 900, true],
      ['tofu', 800, true],
      ['bash', 700, true],
      ['powershell', 600, false],
      ['python', 500, false],
    ]);
    expect(JSON.stringify(apps[0])).toBe(
      '{"active":true,"priority":1000,"title":"","icon":"","color":"","dark_color":"","path":"","args":null,"id":"ansible"}',
    );
  });

  it('overlays option rows and creates custom apps', () => {
    const apps = appsFromOptions([
      { key: 'apps.ansible.active', value: 'false' },
      { key: 'apps.python.active', value: 'true' },
      { key: 'apps.bash.priority', value: '0' },
      { key: 'apps.deno.priority', value: '1500' },
      { key: 'apps.deno.active', value: 'true' },
      { key: 'apps.deno.title', value: 'Deno' },
      { key: 'apps.deno.path', value: '/usr/local/bin/deno' },
      { key: 'apps.deno.args', value: '["run","-A"]' },
      { key: 'apps.deno.unknown', value: 'x' },
      { key: 'apps.bad id.active', value: 'true' },
      { key: 'other.key', value: 'x' },
    ]);
    expect(apps.get('ansible')?.active).toBe(false);
    expect(apps.get('python')?.active).toBe(true);
    expect(apps.get('bash')?.priority).toBe(700);
    const deno = apps.get('deno');
    expect(deno && toWireApp(deno)).toEqual({
      active: true,
      priority: 1500,
      title: 'Deno',
      icon: '',
      color: '',
      dark_color: '',
      path: '/usr/local/bin/deno',
      args: ['run', '-A'],
    });
    expect([...apps.keys()]).not.toContain('bad id');
    expect(sortedApps(apps)[0].id).toBe('deno');
  });

  it('ignores args that are not a JSON array of strings', () => {
    expect(appsFromOptions([{ key: 'apps.x.args', value: '[1]' }]).get('x')?.args).toBeNull();
    expect(appsFromOptions([{ key: 'apps.x.args', value: '{' }]).get('x')?.args).toBeNull();
  });

  it('turns a body into option changes: empty values delete, missing ones are untouched', () => {
    expect(appOptionChanges('deno', { active: false, priority: 5, title: 'Deno', icon: '', args: [] })).toEqual({
      set: { 'apps.deno.active': 'false', 'apps.deno.priority': '5', 'apps.deno.title': 'Deno' },
      remove: ['apps.deno.icon', 'apps.deno.args'],
    });
    expect(appOptionChanges('x', { args: ['a b'] }).set).toEqual({ 'apps.x.args': '["a b"]' });
  });
});
