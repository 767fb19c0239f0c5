#!/usr/bin/env node
// Launcher of the `eql-workbench` command; the CLI itself is bundled into dist/cli.js by `npm run build`.
'use strict';
let cli;
try {
  cli = require('../dist/cli.js');
} catch (e) {
  // Only the bundle itself missing: the first line names it (a module the bundle requires would be
  // named there instead, the bundle only in the require stack below). Windows may write `\`.
  if (e && e.code === 'MODULE_NOT_FOUND' && /^Cannot find module '[^'\n]*dist[\\/]cli\.js'/.test(String(e.message))) {
    process.stderr.write('eql-workbench: dist/cli.js is missing; run `npm run build` first.\n');
    process.exit(3);
  }
  throw e;
}
cli.main();
