import { LineSplitter } from './line-splitter';

describe('LineSplitter', () => {
  it('splits on newlines across chunks and keeps the unterminated rest until flush', () => {
    const s = new LineSplitter();
    expect(s.push('PLAY [all]\nTASK [pi')).toEqual(['PLAY [all]']);
    expect(s.push('ng]\n\nok: [h1]')).toEqual(['TASK [ping]', '']);
    expect(s.flush()).toEqual(['ok: [h1]']);
    expect(s.flush()).toEqual([]);
  });

  it('drops the carriage return of CRLF endings only', () => {
    const s = new LineSplitter();
    expect(s.push('a\r\nb\rc\n')).toEqual(['a', 'b\rc']);
  });

  it('does not break a multi-byte character split between chunks', () => {
    const bytes = Buffer.from('héllo ✓\n', 'utf8');
    const s = new LineSplitter();
    const out: string[] = [];
    for (const b of bytes) out.push(...s.push(Buffer.from([b])));
    expect(out).toEqual(['héllo ✓']);
  });

  it('cuts lines longer than the limit', () => {
    const s = new LineSplitter(4);
    expect(s.push('abcdefghij\nxy\n')).toEqual(['abcd', 'efgh', 'ij', 'xy']);
  });

  it('refuses a nonsensical limit', () => {
    expect(() => new LineSplitter(0)).toThrow('maxLineBytes');
  });
});
