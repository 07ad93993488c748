import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertRelativePath } from './arg-safety';

export type GalaxyKind = 'collection' | 'role';

/** One `ansible-galaxy <kind> install -r <file> --force` run. */
export interface GalaxyStep {
  kind: GalaxyKind;
  /** Absolute path of the requirements file. */
  file: string;
  /** The file relative to the repository, for log lines. */
  label: string;
}

/** What to do about one candidate file: install from it, or the note upstream logs when it skips. */
export type GalaxyPlanItem = { step: GalaxyStep } | { skip: string };

/**
 * The galaxy installs of an ansible run, in upstream's order (reference §3.4 step 5): collections from
 * `<playbookDir>/collections/requirements.yml` and `<playbookDir>/requirements.yml`, then roles from
 * `<playbookDir>/roles/requirements.yml` and `<playbookDir>/requirements.yml`. A missing file is skipped; so is the
 * shared `requirements.yml` for collections when it has no top-level `collections` key (ansible-galaxy would fail on
 * a plain list of roles).
 */
export async function galaxyPlan(repoDir: string, playbook: string): Promise<GalaxyPlanItem[]> {
  const playbookDir = dirname(assertRelativePath('playbook', playbook));
  const candidates: Array<{ kind: GalaxyKind; relative: string; needsCollectionsKey: boolean }> = [
    { kind: 'collection', relative: join(playbookDir, 'collections', 'requirements.yml'), needsCollectionsKey: false },
    { kind: 'collection', relative: join(playbookDir, 'requirements.yml'), needsCollectionsKey: true },
    { kind: 'role', relative: join(playbookDir, 'roles', 'requirements.yml'), needsCollectionsKey: false },
    { kind: 'role', relative: join(playbookDir, 'requirements.yml'), needsCollectionsKey: false },
  ];
  const plan: GalaxyPlanItem[] = [];
  for (const c of candidates) {
    const file = join(repoDir, c.relative);
    const text = await readIfExists(file);
    if (text === null) {
      plan.push({ skip: `No ${c.relative} file found. Skip galaxy ${c.kind} install process.` });
    } else if (c.needsCollectionsKey && !hasTopLevelKey(text, 'collections')) {
      plan.push({ skip: `${c.relative} has no collections. Skip galaxy collection install process.` });
    } else {
      plan.push({ step: { kind: c.kind, file, label: c.relative } });
    }
  }
  return plan;
}

/** The argv of a step; the file is an absolute path inside the workspace, so it cannot be read as an option. */
export function galaxyArgs(step: GalaxyStep): string[] {
  if (!step.file.startsWith('/')) throw new Error('galaxy requirements file must be an absolute path');
  return [step.kind, 'install', '-r', step.file, '--force'];
}

/** A YAML mapping key at column 0 (`collections:`), outside comments; enough to tell the two requirements formats. */
function hasTopLevelKey(yaml: string, key: string): boolean {
  return new RegExp(`^["']?${key}["']?\\s*:`, 'm').test(yaml);
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return null;
    }
    throw err;
  }
}
