import { formatVarArgument } from './var-arguments';

describe('formatVarArgument', () => {
  it('formats shell app arguments without upstream %!s quirks', () => {
    expect(formatVarArgument('a', 'text')).toBe('a=text');
    expect(formatVarArgument('n', 1)).toBe('n=1');
    expect(formatVarArgument('b', true)).toBe('b=true');
    expect(formatVarArgument('o', { x: [1] })).toBe('o={"x":[1]}');
  });
});
