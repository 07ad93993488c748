import { readdirSync, readFileSync } from 'node:fs';

/** Every process's command line, as /proc shows it to anyone on the machine (arguments joined by spaces). */
export function processCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}
