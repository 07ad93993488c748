import { parseSumLine } from './remote-checksum';

const SUM = 'a'.repeat(64);

describe('parseSumLine (GNU sha256sum output)', () => {
  it('reads the sum and the path, text or binary mode', () => {
    expect(parseSumLine(`${SUM}  /srv/app/index.html`)).toEqual({ sum: SUM, path: '/srv/app/index.html' });
    expect(parseSumLine(`${SUM} *with  two spaces`)).toEqual({ sum: SUM, path: 'with  two spaces' });
  });

  it('unescapes the names sha256sum escapes (a leading backslash marks them)', () => {
    expect(parseSumLine(`\\${SUM}  dir\\\\file\\nname`)).toEqual({ sum: SUM, path: 'dir\\file\nname' });
  });

  it('ignores lines that are not sums', () => {
    expect(parseSumLine('')).toBeNull();
    expect(parseSumLine('sha256sum: x: No such file or directory')).toBeNull();
    expect(parseSumLine(`${SUM.slice(1)}  short`)).toBeNull();
  });
});
