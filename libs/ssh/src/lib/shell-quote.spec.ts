import { execFileSync } from 'node:child_process';
import { shellQuote } from './shell-quote';

describe('shellQuote', () => {
  it.each([['plain'], ["it's"], ['$(touch /tmp/x) `id` $HOME ; | & > <'], ["''"], ['-n'], [' spaced  out '], ['']])(
    'turns %j into one shell word that prints back unchanged',
    (value) => {
      const printed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
      expect(printed).toBe(value);
    },
  );
});
