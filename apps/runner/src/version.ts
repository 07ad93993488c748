import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The product version from the workspace package.json (found by walking up from this file, source or dist). */
export function runnerVersion(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 8 && !cached; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'semaphore-ts' && pkg.version) cached = pkg.version;
    }
    dir = dirname(dir);
  }
  cached ??= '0.0.0-unknown';
  return cached;
}
