import { exportedName, uniqueNames } from './backup-names';

describe('backup names', () => {
  const items = (...names: string[]) => names.map((name, i) => ({ id: i + 1, name }));

  it('keeps unique names and numbers later duplicates in id order, deterministically', () => {
    const names = uniqueNames(items('web', 'db', 'web', 'web'), (i) => i.name);
    expect([...names.entries()]).toEqual([
      [1, 'web'],
      [2, 'db'],
      [3, 'web (2)'],
      [4, 'web (3)'],
    ]);
    // The same rows in another order give the same names (ids decide, not the order they came in).
    const shuffled = [...items('web', 'db', 'web', 'web')].reverse();
    expect(uniqueNames(shuffled, (i) => i.name)).toEqual(names);
  });

  it('never takes a name another item really has', () => {
    const names = uniqueNames(items('x', 'x', 'x (2)'), (i) => i.name);
    expect([names.get(1), names.get(2), names.get(3)]).toEqual(['x', 'x (3)', 'x (2)']);
  });

  it('stays within 255 characters and does not split a surrogate pair', () => {
    const long = `${'a'.repeat(250)}😀😀`;
    const names = uniqueNames(items(long, long), (i) => i.name);
    const second = names.get(2) as string;
    expect(second.length).toBeLessThanOrEqual(255);
    expect(second.endsWith(' (2)')).toBe(true);
    expect(second).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('replaces control characters (refused by a restore) and empty names', () => {
    expect(exportedName('a\tb\u0000c\u007f')).toBe('a b c ');
    expect(exportedName('')).toBe('unnamed');
    const names = uniqueNames(items('a\nb', 'a b'), (i) => i.name);
    expect([names.get(1), names.get(2)]).toEqual(['a b', 'a b (2)']);
  });
});
