/** The last group of digits, with what comes before and after it: `v2-rc9` -> `v2-rc`, `9`, ``. */
const LAST_NUMBER = /^(.*\D)?(\d+)(\D*)$/s;

/**
 * The version of the next build of a build template (reference §3.2 `getNextBuildVersion`): the template's
 * `start_version` for the first build, otherwise the previous build's version with its last group of digits
 * incremented, prefix and suffix kept (`1.0.0` -> `1.0.1`, `v2-rc9` -> `v2-rc10`, `1.9-beta` -> `1.10-beta`).
 * Leading zeros keep their width (`007` -> `008`; upstream would write `8`); arbitrarily long numbers do not overflow.
 * A previous version without any digit falls back to the start version, as upstream does.
 */
export function nextBuildVersion(startVersion: string | null, previousVersion: string | null): string | null {
  if (previousVersion === null || previousVersion === '') return startVersion;
  const match = LAST_NUMBER.exec(previousVersion);
  if (!match) return startVersion;
  const [, prefix = '', digits, suffix] = match;
  const next = (BigInt(digits) + 1n).toString().padStart(digits.length, '0');
  return `${prefix}${next}${suffix}`;
}
