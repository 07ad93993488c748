import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The product version from the workspace package.json (found by walking up from this file, source or dist). */
export function productVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'semaphore-ts' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0-unknown';
}
