#!/usr/bin/env node
'use strict';
// The `semaphore` command. Needs the compiled output: run `npm run build` first.
const { join } = require('node:path');
const { existsSync } = require('node:fs');

const entry = join(__dirname, '../../../dist/apps/api/src/cli/main.js');
if (!existsSync(entry)) {
  process.stderr.write('semaphore: not built yet; run `npm run build` in the repository first\n');
  process.exit(1);
}
require(entry).cliMain(process.argv.slice(2));
