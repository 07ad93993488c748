import { artifactPathSegments, isInside, wirePath } from './artifact-paths';
import { ArtifactErrorCode, ArtifactException } from './artifact.exception';

function problemOf(path: unknown): string {
  try {
    artifactPathSegments(path);
  } catch (err) {
    if (err instanceof ArtifactException && err.code === ArtifactErrorCode.BadPath) return err.message;
    throw err;
  }
  throw new Error(`${JSON.stringify(path)} was accepted`);
}

describe('artifactPathSegments', () => {
  it.each([
    ['web1/logs/syslog', ['web1', 'logs', 'syslog']],
    ['listing.json', ['listing.json']],
    ['./a//b/./c', ['a', 'b', 'c']],
    ['a\\b', ['a', 'b']],
    ['web1/-starts-with-dash-inside', ['web1', '-starts-with-dash-inside']],
    ['über/naïve file.txt', ['über', 'naïve file.txt']],
    ['..hidden/x..y', ['..hidden', 'x..y']],
  ])('splits %j', (path, segments) => {
    expect(artifactPathSegments(path)).toEqual(segments);
  });

  it.each([
    ['../x', /^path must stay inside the workspace/],
    ['a/../../x', /^path must stay inside the workspace/],
    ['a/..', /^path must stay inside the workspace/],
    ['..\\x', /^path must stay inside the workspace/],
    ['/etc/passwd', /^path must be a relative path/],
    ['\\etc\\passwd', /^path must be a relative path/],
    ['C:/Windows', /^path must be a relative path/],
    ['-rf', /^path must not start with "-"/],
    ['a\nb', /^path must not contain control characters/],
    ['a\u0000b', /^path must not contain control characters/],
    ['a\u007fb', /^path must not contain control characters/],
    ['', /^path must not be empty/],
    ['.', /^path must name a file/],
    ['./', /^path must name a file/],
    ['dir/', /^path must name a file/],
    ['x'.repeat(256), /^path must not have a name longer than 255 bytes/],
    ['é'.repeat(128), /^path must not have a name longer than 255 bytes/],
    [`a/${'b'.repeat(4100)}`, /^path must be at most 4096 characters/],
  ])('refuses %j naming path', (path, message) => {
    expect(problemOf(path)).toMatch(message);
  });

  it.each([
    [undefined, 'path is required'],
    [['a', 'b'], 'path must be a single string'],
    [{ a: 'b' }, 'path must be a single string'],
  ])('refuses the query value %j', (value, message) => {
    expect(problemOf(value)).toBe(message);
  });
});

describe('isInside', () => {
  it.each([
    ['/srv/a/1', '/srv/a/1', true],
    ['/srv/a/1', '/srv/a/1/x/y', true],
    ['/srv/a/1', '/srv/a/1/..x', true],
    ['/srv/a/1', '/srv/a/10', false],
    ['/srv/a/1', '/srv/a', false],
    ['/srv/a/1', '/etc/passwd', false],
  ])('%s contains %s: %s', (root, candidate, inside) => {
    expect(isInside(root, candidate)).toBe(inside);
  });
});

it('wirePath joins with /', () => {
  expect(wirePath(['a', 'b', 'c.txt'])).toBe('a/b/c.txt');
});
