import { copyRows, copyText } from './copy-lines';

describe('COPY text format', () => {
  it('escapes backslash, newline, carriage return and tab, and nothing else', () => {
    expect(copyText('plain text: "quotes", \'single\', $1, {braces}')).toBe(
      'plain text: "quotes", \'single\', $1, {braces}',
    );
    expect(copyText('a\\b\tc\rd\ne')).toBe('a\\\\b\\tc\\rd\\ne');
    expect(copyText('\\N')).toBe('\\\\N'); // never read as NULL
  });

  it('writes one row per line, in order, in bounded chunks', () => {
    const time = new Date('2026-12-04T10:11:12.345Z');
    const lines = Array.from({ length: 5 }, (_, i) => ({ taskId: 7, seq: i + 1, time, output: `line\t${i + 1}` }));
    const chunks = [...copyRows(lines, 60)];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(lines.map((l) => `7\t${l.seq}\t2026-12-04T10:11:12.345Z\tline\\t${l.seq}\n`).join(''));
    expect([...copyRows([])]).toEqual([]);
  });
});
