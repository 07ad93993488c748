import { nextBuildVersion } from './build-version';

describe('nextBuildVersion', () => {
  it('starts with the start version', () => {
    expect(nextBuildVersion('1.0.0', null)).toBe('1.0.0');
    expect(nextBuildVersion('v2-rc1', '')).toBe('v2-rc1');
    expect(nextBuildVersion(null, null)).toBeNull();
  });

  it.each([
    ['1.0.0', '1.0.1'],
    ['1.0.9', '1.0.10'],
    ['v2-rc9', 'v2-rc10'],
    ['1.9-beta', '1.10-beta'],
    ['release-41-final', 'release-42-final'],
    ['7', '8'],
    ['99', '100'],
    ['build007', 'build008'],
    ['build099', 'build100'],
    ['1.0.0+meta', '1.0.1+meta'],
    ['18446744073709551615', '18446744073709551616'],
  ])('increments the last number group of %s -> %s', (previous, next) => {
    expect(nextBuildVersion('0.0.1', previous)).toBe(next);
  });

  it('keeps prefix and suffix of the previous version, not of the start version', () => {
    expect(nextBuildVersion('1.0.0', 'v3.4.5-rc')).toBe('v3.4.6-rc');
  });

  it('falls back to the start version when the previous version has no digits', () => {
    expect(nextBuildVersion('1.0.0', 'latest')).toBe('1.0.0');
    expect(nextBuildVersion(null, 'latest')).toBeNull();
  });

  it('handles multi-line and odd suffixes without throwing', () => {
    expect(nextBuildVersion('1', '1\n')).toBe('2\n');
  });
});
