import { relativePathProblem } from './path.validator';

describe('relativePathProblem', () => {
  it.each(['hosts', 'invs/prod/hosts.ini', './hosts', 'a/../b', 'dir/file-with-dash', 'a/-b'])('accepts %s', (path) => {
    expect(relativePathProblem(path)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['../../etc/passwd', /escape/],
    ['..', /escape/],
    ['a/../../b', /escape/],
    ['a\\..\\..\\b', /escape/],
    ['/etc/passwd', /relative/],
    ['\\etc\\passwd', /relative/],
    ['C:/x', /relative/],
    ['~/x', /relative/],
    ['-i', /start with "-"/],
    ['./-i', /start with "-"/],
    ['a\u0000b', /control/],
    ['a\nb', /control/],
    ['x'.repeat(2000), /at most/],
  ])('refuses %j', (path, message) => {
    expect(relativePathProblem(path)).toMatch(message);
  });
});
